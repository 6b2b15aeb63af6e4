import { useSyncExternalStore } from "react";

import { auth } from "./api/auth";
import { embedConfig } from "./embed/boot";
import { EmbedPage } from "./embed/EmbedPage";
import { AppListPage } from "./pages/AppListPage";
import { AppPage } from "./pages/AppPage";
import { Shell } from "./pages/Shell";
import { SignIn } from "./pages/SignIn";
import { handleLinkClick, useRoute, type Route } from "./router";
import { NoticeProvider } from "./ui/notices";

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case "apps":
      return <AppListPage />;
    case "app":
      return <AppPage appId={route.appId} pageId={route.pageId} />;
    case "embed":
      return embedConfig ? (
        <EmbedPage config={embedConfig} pageId={route.pageId} />
      ) : (
        <main id="main" className="page page-narrow">
          <h1>Open this app through its signed embed link</h1>
        </main>
      );
    default:
      return (
        <Shell>
          <main id="main" className="page page-narrow">
            <h1>Page not found</h1>
            <p>
              Nothing lives at <code>{route.path}</code>.{" "}
              <a href="/" onClick={(e) => handleLinkClick(e, "/")}>
                See all apps
              </a>
              .
            </p>
          </main>
        </Shell>
      );
  }
}

export function App() {
  const state = useSyncExternalStore(auth.subscribe, auth.get);
  const route = useRoute();
  return (
    <NoticeProvider>
      {/* Signing in remounts the screen, so everything loads again with the token. */}
      <Screen key={state.epoch} route={route} />
      {state.signInRequired ? <SignIn message={state.message} /> : null}
    </NoticeProvider>
  );
}
