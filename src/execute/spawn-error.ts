import { accessSync, constants, statSync } from "node:fs";

/**
 * Bun.spawn throws synchronously when exec or chdir fails. Maps the error to a message and a shell-style exit
 * code (127 not found, 126 not executable, 1 bad working directory). `cwd` is inspected only on this slow path.
 */
export function describeSpawnError(error: unknown, program: string, cwd: string): { spawnError: string; exitCode: number } {
  const code = (error as { code?: string }).code;
  if ((code === "ENOENT" || code === "ENOTDIR") && !isDirectory(cwd)) {
    return { spawnError: `working directory does not exist: ${cwd}`, exitCode: 1 };
  }
  if (code === "EACCES" && !isAccessible(cwd)) {
    return { spawnError: `working directory is not accessible: ${cwd}`, exitCode: 1 };
  }
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return { spawnError: `command not found: ${program}`, exitCode: 127 };
    case "EACCES":
      return { spawnError: `permission denied: ${program}`, exitCode: 126 };
    case "ENOEXEC":
      return { spawnError: `not an executable file: ${program}`, exitCode: 126 };
    default:
      return { spawnError: `cannot start ${program}: ${error instanceof Error ? error.message : String(error)}`, exitCode: 126 };
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isAccessible(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
