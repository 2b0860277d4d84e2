"""Drives the dashboard's Online page in headless Chromium as a person would: logs in, forces a
value through the page's form, and reports what the page then shows. Chromium is driven over the
DevTools protocol on a pipe (--remote-debugging-pipe: fd 3 in, fd 4 out, messages ended by NUL),
so nothing but the standard library is needed.

usage: chromium_online.py PORT USER PASSWORD VARIABLE VALUE
prints one JSON object: {"who": ..., "answer": ..., "forcedRow": bool, "mark": ..., "banner": ...}
"""
import json
import os
import subprocess
import sys
import time

port, user, password, variable, value = sys.argv[1:6]
to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()


def child_fds():
    os.dup2(to_chrome_r, 3)
    os.dup2(from_chrome_w, 4)


chrome = subprocess.Popen(
    ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
     "--disable-background-networking", "--remote-debugging-pipe",
     "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=127.0.0.1:9",
     "--proxy-bypass-list=127.0.0.1", "--window-size=900,900", "about:blank"],
    pass_fds=(3, 4), preexec_fn=child_fds, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(to_chrome_r)
os.close(from_chrome_w)
inbox = b""
counter = 0


def call(method, params=None, session=None):
    global counter, inbox
    counter += 1
    message = {"id": counter, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    os.write(to_chrome_w, json.dumps(message).encode() + b"\0")
    deadline = time.time() + 30
    while time.time() < deadline:
        while b"\0" in inbox:
            raw, inbox = inbox.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == counter:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
        chunk = os.read(from_chrome_r, 65536)
        if not chunk:
            raise RuntimeError("chromium closed the pipe")
        inbox += chunk
    raise RuntimeError(f"{method}: no answer")


def evaluate(session, expression):
    result = call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, session)
    return result.get("result", {}).get("value")


def wait_for(session, expression, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = evaluate(session, expression)
        if value:
            return value
        time.sleep(0.1)
    return None


try:
    target = call("Target.createTarget", {"url": f"http://127.0.0.1:{port}/online"})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    wait_for(session, "document.readyState === 'complete' && !!document.getElementById('login')")
    wait_for(session, "document.getElementById('who').textContent.length > 0")
    evaluate(session, f"""(function(){{var f=document.getElementById('login');f.user.value={json.dumps(user)};
        f.password.value={json.dumps(password)};f.requestSubmit();}})()""")
    who = wait_for(session, "!document.getElementById('change').hidden && document.getElementById('who').textContent")
    evaluate(session, f"""(function(){{var row=document.querySelector('tr[data-pin={json.dumps(variable)}]');row.click();
        var f=document.getElementById('change');f.value.value={json.dumps(value)};
        f.requestSubmit(f.querySelector('button[data-act=force]'));}})()""")
    answer = wait_for(session, f"(function(){{var t=document.getElementById('answer').textContent;return t.indexOf({json.dumps(variable)})>=0||t.indexOf('rror')>=0?t:''}})()")
    forced = wait_for(session, f"!!document.querySelector('tr.forced[data-pin={json.dumps(variable)}]')", 20)
    mark = evaluate(session, f"(document.querySelector('tr[data-pin={json.dumps(variable)}] .fmark')||{{}}).textContent||''")
    banner = evaluate(session, "(document.getElementById('forced')||{}).textContent||''")
    print(json.dumps({"who": who, "answer": answer, "forcedRow": bool(forced), "mark": mark, "banner": banner}))
finally:
    chrome.kill()
    chrome.wait()
