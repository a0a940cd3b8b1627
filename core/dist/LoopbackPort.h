#pragma once
// TCP ports on 127.0.0.1 for local rank groups (recscope-cli launch, the loopback tests and
// bench_dist). POSIX sockets; no LibTorch.

namespace recscope {

// A port nobody listens on at this moment (the kernel's pick), or 0 when none can be had.
// Another process may take it before the caller does; a rendezvous then reports the port in
// use.
int freeLoopbackPort();

// Listens on a fresh port of every local address and returns the socket (the caller closes
// it), or -1; `port` receives the port. For checks that need a port in use.
int listenOnFreePort(int& port);

}  // namespace recscope
