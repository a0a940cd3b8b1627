#pragma once
// The one place that talks to LibTorch's distributed engine (c10d): a TCPStore connection and,
// on top of it, a Gloo or NCCL process group. LibTorch 1.13 (Debian) and 2.x differ in small
// ways (in 2.x a process group's backend is a c10d::Backend); the .cpp absorbs that, so nothing
// else includes a c10d header. Every failure throws DistError with a message that names the
// address, port or operation; callers add the rank picture (DataParallel).
//
// Thread rules: one object per thread. The heartbeat thread opens its own store connection.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace recscope {

class C10dBackend {
public:
    // Whether this build has each backend (Gloo needs the gloo headers, NCCL a CUDA LibTorch
    // and nccl.h at build time).
    static bool hasGloo();
    static bool hasNccl();

    // host = true (rank 0 only): serve the store on `port`; otherwise connect to it, retrying
    // until `timeout`. Throws DistError: the port is in use, nobody listens there in time.
    static std::unique_ptr<C10dBackend> openStore(const std::string& addr, int port, bool host,
                                                  int worldSize, std::chrono::milliseconds timeout);
    ~C10dBackend();
    C10dBackend(const C10dBackend&) = delete;
    C10dBackend& operator=(const C10dBackend&) = delete;

    // Store operations (the control plane).
    void set(const std::string& key, const std::string& value);
    std::string get(const std::string& key);  // waits for the key up to the timeout
    bool exists(const std::string& key);
    int64_t add(const std::string& key, int64_t delta);  // atomic; returns the new value
    void setStoreTimeout(std::chrono::milliseconds timeout);

    // Builds the process group over this store ("gloo" or "nccl"; the peers' addresses are
    // exchanged through the store under `prefix`). `socketHost`: the address Gloo binds (the
    // machine's own; "" = resolve the host name). cudaIndex: the NCCL device.
    void startProcessGroup(const std::string& prefix, const std::string& backend, int rank,
                           int worldSize, const std::string& socketHost, int cudaIndex,
                           std::chrono::milliseconds timeout);
    const std::string& backend() const;

    // Blocking collectives with the process group's timeout. Tensors must be on the backend's
    // device (CPU for Gloo, the rank's GPU for NCCL) and contiguous.
    void allReduceSum(at::Tensor& tensor);
    void broadcast(at::Tensor& tensor, int root);
    // outputs: worldSize tensors shaped like `input`.
    void allGather(std::vector<at::Tensor>& outputs, at::Tensor& input);

    // Ends the process group (its sockets close; peers blocked in a collective fail at once).
    void closeGroup();
    // After a failed collective the group may be stuck in a peer's socket: the destructor then
    // leaks it instead of joining its threads, so the process can end.
    void abandon();

    struct Impl;

private:
    explicit C10dBackend(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

}  // namespace recscope
