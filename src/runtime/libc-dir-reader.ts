/// <reference types="bun-types" />
import type { DirReader, EntryKind, FileStat } from "./dir-reader.ts";
import { loadFfi, openLibcSymbols } from "./libc-ffi.ts";
import { nodeLstat } from "./node-dir-reader.ts";

/**
 * The DirReader of the cache check on Bun/Linux: open(O_DIRECTORY), getdents64 into one reused
 * buffer, and statx(dirfd, name) straight from that buffer. Against readdirSync + lstatSync it
 * builds no Dirent or Stats objects, encodes no paths, and the kernel resolves one name per file
 * instead of the whole path (on this project's VM, a syscall alone costs about 1 µs). Any failure
 * to load (not Linux, no glibc/musl symbols, an unknown CPU layout) leaves node:fs in charge, and
 * any failed call is redone through node:fs, so errors read exactly as node:fs reports them.
 */
export function openLibcDirReader(): DirReader | null {
  if (process.platform !== "linux" || !littleEndian()) return null;
  const flags = OPEN_FLAGS[process.arch];
  if (flags === undefined) return null;
  const ffi = loadFfi();
  if (ffi === null) return null;
  const { FFIType, ptr } = ffi;
  const signatures = {
    open: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
    getdents64: { args: [FFIType.i32, FFIType.ptr, FFIType.u64], returns: FFIType.i64 },
    statx: { args: [FFIType.i32, FFIType.ptr, FFIType.i32, FFIType.u32, FFIType.ptr], returns: FFIType.i32 },
  } as const;
  const libc = openLibcSymbols(ffi, signatures);
  if (libc === null) return null;
  const { open, close, getdents64, statx } = libc;

  // Each buffer over its own ArrayBuffer: the storage of a small typed array made alone can be moved
  // by the engine once the code using it is optimised (seen after ~1,000 calls), and a pointer taken
  // to it earlier then points at stale memory (test/unit/dir-reader.test.ts shows it).
  const path = new Uint8Array(new ArrayBuffer(PATH_MAX + 1));
  const pathPtr = ptr(path);
  const dents = Buffer.from(new ArrayBuffer(DENTS_BYTES));
  const dentsPtr = ptr(dents);
  const stx = new Uint32Array(new ArrayBuffer(256)); // struct statx, the same on every architecture
  const stxPtr = ptr(stx);
  const encoder = new TextEncoder();

  // The entry `visit` is looking at: statEntry needs its name in `dents` and, to redo a failed call, its path.
  let dirFd = -1;
  let dirAbs = "";
  let entryName = "";
  let entryOffset = 0;
  let busy = false;

  function fill(out: FileStat): boolean {
    if ((stx[0]! & STATX_NEEDED) !== STATX_NEEDED) return false;
    out.kind = kindOfMode(stx[7]! & 0xffff);
    out.ino = stx[8]! + stx[9]! * 2 ** 32;
    out.size = stx[10]! + stx[11]! * 2 ** 32;
    out.ctimeMs = (stx[24]! + (stx[25]! | 0) * 2 ** 32) * 1000 + stx[26]! / 1e6;
    out.mtimeMs = (stx[28]! + (stx[29]! | 0) * 2 ** 32) * 1000 + stx[30]! / 1e6;
    return true;
  }

  return {
    name: "libc",
    read(dir, visit) {
      if (busy) throw new Error("DirReader.read is not reentrant");
      const written = encoder.encodeInto(dir, path).written;
      // Too long for the kernel, or a NUL that C would cut the path at: node:fs fails on these too.
      if (written >= PATH_MAX || dir.includes("\0")) return false;
      path[written] = 0;
      const fd = open(pathPtr, flags);
      if (fd < 0) return false;
      busy = true;
      dirFd = fd;
      dirAbs = dir;
      let visited = 0;
      try {
        for (;;) {
          const n = Number(getdents64(fd, dentsPtr, DENTS_BYTES));
          if (n === 0) return true;
          if (n < 0) {
            if (visited === 0) return false;
            throw Object.assign(new Error(`EIO: cannot finish listing ${dir}`), { code: "EIO", path: dir });
          }
          for (let offset = 0; offset < n; ) {
            const recordBytes = dents.readUInt16LE(offset + 16);
            const type = dents[offset + 18]!;
            const nameStart = offset + 19;
            const nameEnd = dents.indexOf(0, nameStart);
            offset += recordBytes;
            if (dents[nameStart] === DOT && (nameEnd === nameStart + 1 || (nameEnd === nameStart + 2 && dents[nameStart + 1] === DOT))) continue;
            entryOffset = nameStart;
            entryName = dents.toString("utf8", nameStart, nameEnd);
            visited++;
            visit(entryName, kindOfDirentType(type));
          }
        }
      } finally {
        close(fd);
        dirFd = -1;
        busy = false;
      }
    },
    statEntry(out) {
      if (dirFd < 0) throw new Error("DirReader.statEntry outside read");
      if (statx(dirFd, (dentsPtr + entryOffset) as typeof dentsPtr, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_NEEDED, stxPtr) === 0 && fill(out)) return true;
      return nodeLstat(`${dirAbs}/${entryName}`, out);
    },
    lstat(file, out) {
      const written = encoder.encodeInto(file, path).written;
      if (written < PATH_MAX && !file.includes("\0")) {
        path[written] = 0;
        if (statx(AT_FDCWD, pathPtr, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_NEEDED, stxPtr) === 0 && fill(out)) return true;
      }
      return nodeLstat(file, out);
    },
  };
}

function littleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function kindOfMode(mode: number): EntryKind {
  const type = mode & S_IFMT;
  return type === S_IFREG ? "file" : type === S_IFDIR ? "dir" : type === S_IFLNK ? "symlink" : "other";
}

function kindOfDirentType(type: number): EntryKind | undefined {
  return type === DT_REG ? "file" : type === DT_DIR ? "dir" : type === DT_LNK ? "symlink" : type === DT_UNKNOWN ? undefined : "other";
}

// open(2) flags differ by architecture: O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC.
const OPEN_FLAGS: Readonly<Record<string, number>> = {
  x64: 0o200000 | 0o400000 | 0o2000000,
  arm64: 0o40000 | 0o100000 | 0o2000000,
};
const PATH_MAX = 4096;
const DENTS_BYTES = 64 * 1024;
const DOT = 0x2e;
const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_STATX_DONT_SYNC = 0x4000;
// STATX_TYPE | STATX_MODE | STATX_MTIME | STATX_CTIME | STATX_INO | STATX_SIZE
const STATX_NEEDED = 0x1 | 0x2 | 0x40 | 0x80 | 0x100 | 0x200;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const DT_UNKNOWN = 0;
const DT_DIR = 4;
const DT_REG = 8;
const DT_LNK = 10;
