import { afterEach } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stateFilePath } from "../../src/state/state-file.ts";

/**
 * A maker of temporary places (a directory with its `.ggen`), removed after each test of the file that
 * calls this at its top level; `stateText`, when given, becomes the place's state.json.
 */
export function tempPlaces(prefix: string): (stateText?: string) => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (stateText) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    mkdirSync(join(dir, ".ggen"));
    if (stateText !== undefined) writeFileSync(stateFilePath(dir), stateText);
    return dir;
  };
}
