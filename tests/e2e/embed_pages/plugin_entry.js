// Bundled by the plugin test with rolldown from web/node_modules.
import { client } from "@sigmacomputing/plugin/dist/client.js";

const show = (id, text) => {
  document.getElementById(id).textContent = text;
};

client.config.subscribe(() => {
  client.elements.getElementColumns("source").then((columns) => show("columns", Object.keys(columns).join(",")));
});
client.elements.subscribeToElementData("source", (data) => {
  const accounts = data.Account ?? [];
  show("rows", String(accounts.length));
  show("accounts", accounts.join(","));
});
client.config.subscribeToWorkbookVariable("region", (variable) => {
  show("region", String(variable?.defaultValue?.value ?? ""));
});
client.config.registerEffect("onApproved", () => show("effect", "ran"));
document.getElementById("pick-east").addEventListener("click", () => client.config.setVariable("region", "East"));
document.getElementById("approve").addEventListener("click", () => client.config.triggerAction("onApprove"));
