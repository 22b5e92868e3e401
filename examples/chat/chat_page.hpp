// SPDX-License-Identifier: MIT
// The chat example's page: a message list, an input, and a script that talks to /ws (?name= and
// ?room= are passed on).
#pragma once

#include <string_view>

inline constexpr std::string_view chat_page = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>swoop chat</title>
<style>
  body { font-family: sans-serif; max-width: 40em; margin: 2em auto; }
  #log { border: 1px solid #ccc; height: 20em; overflow-y: auto; padding: .5em; }
  #log div { margin: .2em 0; }
  form { display: flex; gap: .5em; margin-top: .5em; }
  #text { flex: 1; }
</style>
</head>
<body>
<h1>swoop chat: <span id="room"></span></h1>
<div id="log"></div>
<form id="form"><input id="text" autocomplete="off" placeholder="say something"><button>Send</button></form>
<script>
  const log = document.getElementById("log");
  const text = document.getElementById("text");
  const params = new URLSearchParams(location.search);
  const name = params.get("name") || "guest" + Math.floor(Math.random() * 1000);
  const room = params.get("room") || "lobby";
  document.getElementById("room").textContent = room;
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const ws = new WebSocket(scheme + location.host + "/ws?name=" + encodeURIComponent(name) +
                           "&room=" + encodeURIComponent(room));
  function show(line) {
    const div = document.createElement("div");
    div.textContent = line;  // never innerHTML: messages come from other users
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }
  ws.onopen = () => { document.body.dataset.state = "open"; };
  ws.onmessage = (event) => show(event.data);
  ws.onclose = () => { document.body.dataset.state = "closed"; show("* disconnected"); };
  document.getElementById("form").onsubmit = (event) => {
    event.preventDefault();
    if (text.value && ws.readyState === WebSocket.OPEN) ws.send(text.value);
    text.value = "";
  };
</script>
</body>
</html>
)html";
