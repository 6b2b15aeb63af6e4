import {
  DO_NOT_USE_IN_PRODUCTION_overrideMutationUrl,
  actionOutboundListener,
  workbookDataLoadedListener,
  workbookLoadedListener,
  workbookVariableChangeListener,
  workbookVariablesUpdate,
} from "/sdk/index.mjs";

const iframe = document.getElementById("trilith");
const params = new URLSearchParams(window.location.search);
const embedUrl = params.get("embed");
const received = [];
window.received = received;

function note(event) {
  received.push(event);
  document.getElementById("events").textContent += `${event.type} ${JSON.stringify(event)}\n`;
}

window.addEventListener("message", (event) => {
  workbookLoadedListener(event, iframe, note);
  workbookDataLoadedListener(event, iframe, note);
  workbookVariableChangeListener(event, iframe, note);
  actionOutboundListener(event, iframe, note);
  // The seed's app protocol is not in the SDK: read it directly, and acknowledge control updates.
  if (event.source === iframe.contentWindow && event.data && event.data.source === "sigma-compatible-app") {
    received.push(event.data);
    if (event.data.type === "control:update") {
      iframe.contentWindow.postMessage(
        { type: "message:ack", payload: { messageId: event.data.messageId, success: true } },
        new URL(embedUrl).origin,
      );
    }
  }
});

// The SDK posts its mutations to Sigma's origin unless told otherwise.
DO_NOT_USE_IN_PRODUCTION_overrideMutationUrl(new URL(embedUrl).origin);
document.getElementById("west").addEventListener("click", () => {
  workbookVariablesUpdate(iframe, { region: "West" });
});
iframe.src = embedUrl;
