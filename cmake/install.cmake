# SPDX-License-Identifier: MIT
# Installs headers, the library and swoopConfig.cmake for find_package(swoop).
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
