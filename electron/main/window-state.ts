import fs from 'node:fs';
import path from 'node:path';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1200, height: 800, maximized: false };
const MIN = { width: 640, height: 480 };

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

/** The saved state, or null when the file is missing, not JSON or not a plausible window. */
export function parseWindowState(text: string): WindowState | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const s = raw as Partial<Record<keyof WindowState, unknown>> | null;
  if (typeof s !== 'object' || s === null) return null;
  if (!isInt(s.width) || !isInt(s.height) || s.width < MIN.width || s.height < MIN.height) return null;
  const state: WindowState = { width: s.width, height: s.height, maximized: s.maximized === true };
  if (isInt(s.x) && isInt(s.y)) Object.assign(state, { x: s.x, y: s.y });
  return state;
}

/**
 * Keeps a saved position only if the window's top-left area lands on a display that exists now
 * (a monitor unplugged since must not leave the window off-screen); shrinks it to fit.
 */
export function fitToDisplays(state: WindowState, workAreas: Rect[]): WindowState {
  if (state.x === undefined || state.y === undefined) return state;
  const { x, y } = state;
  const area = workAreas.find(
    (a) => x + 50 >= a.x && x + 50 < a.x + a.width && y >= a.y && y + 30 < a.y + a.height,
  );
  if (!area) return { width: state.width, height: state.height, maximized: state.maximized };
  return { ...state, width: Math.min(state.width, area.width), height: Math.min(state.height, area.height) };
}

export function loadWindowState(file: string, workAreas: Rect[]): WindowState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return DEFAULT_WINDOW_STATE;
  }
  const state = parseWindowState(text);
  return state ? fitToDisplays(state, workAreas) : DEFAULT_WINDOW_STATE;
}

/** Written whole then renamed, so a crash mid-write leaves the previous state. */
export function saveWindowState(file: string, state: WindowState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, file);
}

/** The parts of a BrowserWindow the tracker reads. */
export interface TrackedWindow {
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  on(event: 'resize' | 'move' | 'close', listener: () => void): unknown;
}

/** Saves the window's bounds after moves and resizes settle, and when it closes. */
export function trackWindowState(win: TrackedWindow, file: string, debounceMs = 500): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    try {
      saveWindowState(file, { ...win.getNormalBounds(), maximized: win.isMaximized() });
    } catch {
      // A read-only profile costs the window position, nothing more.
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, debounceMs);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', save);
}
