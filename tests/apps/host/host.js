// The browser test's host page: the MCP Apps reference SDK's AppBridge (@modelcontextprotocol/ext-apps,
// bundled by tests/apps/browser.py) drives one view through a sandbox proxy on another origin, as
// the Apps spec (2026-01-26) says a web host must: sandbox-proxy-ready -> sandbox-resource-ready,
// ui/initialize, then tool-input and tool-result. Everything the view asks of the host is logged
// in window.hostLog for the test to check.
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

const hostLog = [];
window.hostLog = hostLog;

function proxyReady(frame) {
  return new Promise((resolve) => {
    window.addEventListener("message", function listener(event) {
      if (event.source === frame.contentWindow && event.data?.method === "ui/notifications/sandbox-proxy-ready") {
        window.removeEventListener("message", listener);
        resolve();
      }
    });
  });
}

window.showPreview = async ({ sandboxUrl, html, csp, call, hostContext }) => {
  const frame = document.createElement("iframe");
  frame.id = "sandbox";
  frame.setAttribute("sandbox", "allow-scripts allow-same-origin");
  const url = new URL(sandboxUrl);
  url.searchParams.set("csp", JSON.stringify(csp || {}));
  url.searchParams.set("host", location.origin);
  const ready = proxyReady(frame);
  frame.src = url.href;
  document.getElementById("chat").append(frame);
  await ready;

  let context = { ...hostContext };
  const bridge = new AppBridge(null, { name: "moengage-mcp test host", version: "1.0.0" }, { openLinks: {}, logging: {} }, { hostContext: context });
  bridge.onsizechange = ({ width, height }) => {
    hostLog.push({ sizeChanged: { width, height } });
    if (height !== undefined) frame.style.height = height + "px";
  };
  bridge.onopenlink = async ({ url }) => { hostLog.push({ openLink: url }); return {}; };
  bridge.onrequestdisplaymode = async ({ mode }) => {
    hostLog.push({ displayMode: mode });
    context = { ...context, displayMode: mode };
    bridge.setHostContext(context);
    return { mode };
  };
  bridge.onloggingmessage = (params) => hostLog.push({ log: params });
  const initialized = new Promise((resolve) => { bridge.oninitialized = resolve; });
  await bridge.connect(new PostMessageTransport(frame.contentWindow, frame.contentWindow));
  await bridge.sendSandboxResourceReady({ html, csp });
  await initialized;
  hostLog.push({ initialized: bridge.getAppVersion(), capabilities: bridge.getAppCapabilities() });
  await bridge.sendToolInput({ arguments: call.arguments });
  await bridge.sendToolResult(call.result);
  window.bridge = bridge;
};

window.teardown = async () => {
  await window.bridge.teardownResource({});
  hostLog.push({ teardown: "answered" });
};
