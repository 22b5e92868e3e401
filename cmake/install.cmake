# SPDX-License-Identifier: MIT
# Installs headers, the library, swoopConfig.cmake for find_package(swoop) and swoop.pc for
# pkg-config.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY include/swoop DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS swoop EXPORT swoopTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT swoopTargets NAMESPACE swoop::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/swoop)
configure_package_config_file(cmake/swoopConfig.cmake.in
  ${PROJECT_BINARY_DIR}/swoopConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/swoop)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/swoopConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/swoopConfig.cmake ${PROJECT_BINARY_DIR}/swoopConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/swoop)

# swoop.pc names the prefix the files land in, which is known only when installing (`cmake
# --install --prefix P`, or /usr when cpack builds the .deb), so it is written then.
install(CODE "
  set(swoop_pc_in [[${PROJECT_SOURCE_DIR}/cmake/swoop.pc.in]])
  set(swoop_pc_out [[${PROJECT_BINARY_DIR}/swoop.pc]])
  set(swoop_pc_version [[${PROJECT_VERSION}]])
  set(swoop_pc_includedir [[${CMAKE_INSTALL_INCLUDEDIR}]])
  set(swoop_pc_libdir [[${CMAKE_INSTALL_LIBDIR}]])")
install(CODE [[
  set(swoop_pc_prefix "${CMAKE_INSTALL_PREFIX}")
  foreach(dir swoop_pc_includedir swoop_pc_libdir)
    if(NOT IS_ABSOLUTE "${${dir}}")
      set(${dir} "\${prefix}/${${dir}}")
    endif()
  endforeach()
  configure_file("${swoop_pc_in}" "${swoop_pc_out}" @ONLY)
  string(REPLACE "\${prefix}" "${CMAKE_INSTALL_PREFIX}" swoop_pc_dir "${swoop_pc_libdir}/pkgconfig")
  file(INSTALL "${swoop_pc_out}" DESTINATION "${swoop_pc_dir}")]])
