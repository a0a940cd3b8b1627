#include "core/dist/LoopbackPort.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace recscope {

namespace {

// Binds a fresh TCP socket to port 0 of `address`; returns it with its port, or -1.
int bindFresh(uint32_t address, int& port) {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(address);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(s);
        return -1;
    }
    port = ntohs(addr.sin_port);
    return s;
}

}  // namespace

int freeLoopbackPort() {
    int port = 0;
    const int s = bindFresh(INADDR_LOOPBACK, port);
    if (s < 0)
        return 0;
    ::close(s);
    return port;
}

int listenOnFreePort(int& port) {
    const int s = bindFresh(INADDR_ANY, port);
    if (s >= 0 && ::listen(s, 4) != 0) {
        ::close(s);
        return -1;
    }
    return s;
}

}  // namespace recscope
