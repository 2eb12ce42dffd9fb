/** Names the C library goes by on this platform: glibc, then musl (Alpine), then macOS. No bun:ffi here, so Deno can load it. */
export function libcNames(): readonly string[] {
  if (process.platform === "linux") return ["libc.so.6", "libc.so", `libc.musl-${process.arch === "arm64" ? "aarch64" : "x86_64"}.so.1`];
  return process.platform === "darwin" ? ["libc.dylib"] : [];
}
