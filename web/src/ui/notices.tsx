// Transient messages ("saved", "this step needs the server") in one polite live region.

import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";

export type Tone = "info" | "success" | "warning" | "error";

export interface Notice {
  id: number;
  tone: Tone;
  title: string;
  message?: string;
}

interface NoticeApi {
  notify: (notice: Omit<Notice, "id">) => void;
}

const NoticeContext = createContext<NoticeApi>({ notify: () => undefined });

export function useNotices(): NoticeApi {
  return useContext(NoticeContext);
}

export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const next = useRef(1);
  const dismiss = useCallback((id: number) => setNotices((list) => list.filter((n) => n.id !== id)), []);
  const notify = useCallback(
    (notice: Omit<Notice, "id">) => {
      const id = next.current++;
      setNotices((list) => [...list.slice(-3), { ...notice, id }]);
      window.setTimeout(() => dismiss(id), notice.tone === "error" || notice.tone === "warning" ? 9000 : 4000);
    },
    [dismiss],
  );
  const api = useMemo(() => ({ notify }), [notify]);
  return (
    <NoticeContext.Provider value={api}>
      {children}
      <div className="notices" role="status" aria-live="polite">
        {notices.map((n) => (
          <div key={n.id} className={`notice notice-${n.tone}`}>
            <div className="notice-text">
              <strong>{n.title}</strong>
              {n.message ? <span>{n.message}</span> : null}
            </div>
            <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </NoticeContext.Provider>
  );
}
