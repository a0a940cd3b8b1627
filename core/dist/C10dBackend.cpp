#include "core/dist/C10dBackend.h"

#include <ATen/ATen.h>
#include <torch/version.h>

#include <cstdlib>

#include "core/dist/DistError.h"

#if RECSCOPE_WITH_C10D
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if RECSCOPE_WITH_GLOO
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if RECSCOPE_WITH_NCCL
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#endif

namespace recscope {

#if RECSCOPE_WITH_C10D

namespace {

// LibTorch 2.x split the process group into a front (c10d::ProcessGroup) and per-device
// backends; ProcessGroupGloo / ProcessGroupNCCL became c10d::Backend subclasses. In 1.13 they
// are c10d::ProcessGroup subclasses. Their collective signatures are the same in both.
#if TORCH_VERSION_MAJOR >= 2
using CollectiveGroup = c10d::Backend;
#else
using CollectiveGroup = c10d::ProcessGroup;
#endif

std::string hostPort(const std::string& addr, int port) {
    return addr + ":" + std::to_string(port);
}

}  // namespace

struct C10dBackend::Impl {
    std::string addr;
    int port = 0;
    c10::intrusive_ptr<c10d::TCPStore> store;
    c10::intrusive_ptr<CollectiveGroup> group;
    std::string backend;
    std::chrono::milliseconds timeout{0};

    template <typename WorkPtr>
    void finish(const char* op, WorkPtr work) {
        try {
            work->wait();
        } catch (const std::exception& e) {
            throw DistError(std::string(op) + ": " + e.what());
        }
    }
};

bool C10dBackend::hasGloo() {
    return RECSCOPE_WITH_GLOO != 0;
}

bool C10dBackend::hasNccl() {
    return RECSCOPE_WITH_NCCL != 0;
}

C10dBackend::C10dBackend(std::unique_ptr<Impl> impl) : m(std::move(impl)) {}

C10dBackend::~C10dBackend() = default;

std::unique_ptr<C10dBackend> C10dBackend::openStore(const std::string& addr, int port, bool host,
                                                    int worldSize,
                                                    std::chrono::milliseconds timeout) {
    auto impl = std::make_unique<Impl>();
    impl->addr = addr;
    impl->port = port;
    impl->timeout = timeout;
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(port);
    options.isServer = host;
    options.numWorkers = static_cast<std::size_t>(worldSize);
    options.waitWorkers = false;  // DataParallel waits for the ranks itself, naming the missing
    options.timeout = timeout;
    try {
        impl->store = c10::make_intrusive<c10d::TCPStore>(addr, options);
    } catch (const std::exception& e) {
        const std::string what = e.what();
        if (host && (what.find("Address already in use") != std::string::npos ||
                     what.find("errno: 98") != std::string::npos))
            throw DistError("cannot host the rendezvous on port " + std::to_string(port) +
                            ": the port is in use (set MASTER_PORT to a free port)");
        if (host)
            throw DistError("cannot host the rendezvous at " + hostPort(addr, port) + ": " + what);
        throw DistError("no rendezvous at " + hostPort(addr, port) + " within " +
                        std::to_string(timeout.count() / 1000) +
                        " s: rank 0 did not start, or MASTER_ADDR / MASTER_PORT are wrong (" +
                        what + ")");
    }
    return std::unique_ptr<C10dBackend>(new C10dBackend(std::move(impl)));
}

void C10dBackend::set(const std::string& key, const std::string& value) {
    try {
        m->store->set(key, std::vector<uint8_t>(value.begin(), value.end()));
    } catch (const std::exception& e) {
        throw DistError("store at " + hostPort(m->addr, m->port) + ": " + e.what());
    }
}

std::string C10dBackend::get(const std::string& key) {
    try {
        const std::vector<uint8_t> v = m->store->get(key);
        return std::string(v.begin(), v.end());
    } catch (const std::exception& e) {
        throw DistError("store at " + hostPort(m->addr, m->port) + ": " + e.what());
    }
}

bool C10dBackend::exists(const std::string& key) {
    try {
        return m->store->check({key});
    } catch (const std::exception& e) {
        throw DistError("store at " + hostPort(m->addr, m->port) + ": " + e.what());
    }
}

int64_t C10dBackend::add(const std::string& key, int64_t delta) {
    try {
        return m->store->add(key, delta);
    } catch (const std::exception& e) {
        throw DistError("store at " + hostPort(m->addr, m->port) + ": " + e.what());
    }
}

void C10dBackend::setStoreTimeout(std::chrono::milliseconds timeout) {
    m->store->setTimeout(timeout);
}

void C10dBackend::startProcessGroup(const std::string& prefix, const std::string& backend, int rank,
                                    int worldSize, const std::string& socketHost, int cudaIndex,
                                    std::chrono::milliseconds timeout) {
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>(prefix, m->store);
    try {
        if (backend == "gloo") {
#if RECSCOPE_WITH_GLOO
            auto options = c10d::ProcessGroupGloo::Options::create(timeout);
            if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"))
                options->devices.push_back(
                    c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
            else if (!socketHost.empty())
                options->devices.push_back(
                    c10d::ProcessGroupGloo::createDeviceForHostname(socketHost));
            else
                options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
            m->group =
                c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, rank, worldSize, options);
#else
            throw DistError("this build of RecScope has no Gloo backend (gloo headers missing)");
#endif
        } else if (backend == "nccl") {
#if RECSCOPE_WITH_NCCL
            // A collective that outlives the timeout must throw in wait(), not only be
            // aborted by the watchdog: blocking wait (both spellings: 1.x and 2.x).
            setenv("NCCL_BLOCKING_WAIT", "1", 0);
            setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
            auto options = c10d::ProcessGroupNCCL::Options::create();
            options->timeout = timeout;
            (void)cudaIndex;  // tensors carry their device; NCCL follows it
            m->group =
                c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, rank, worldSize, options);
#else
            (void)cudaIndex;
            throw DistError(
                "this build of RecScope has no NCCL backend (it needs a CUDA LibTorch and "
                "nccl.h at build time); use --dist-backend gloo");
#endif
        } else {
            throw DistError("unknown backend '" + backend + "'");
        }
    } catch (const DistError&) {
        throw;
    } catch (const std::exception& e) {
        throw DistError("building the " + backend + " process group failed: " + e.what());
    }
    m->backend = backend;
    m->timeout = timeout;
}

const std::string& C10dBackend::backend() const {
    return m->backend;
}

void C10dBackend::allReduceSum(at::Tensor& tensor) {
    std::vector<at::Tensor> tensors{tensor};
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::SUM;
    options.timeout = m->timeout;
    m->finish("allreduce", m->group->allreduce(tensors, options));
}

void C10dBackend::broadcast(at::Tensor& tensor, int root) {
    std::vector<at::Tensor> tensors{tensor};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    options.rootTensor = 0;
    options.timeout = m->timeout;
    m->finish("broadcast", m->group->broadcast(tensors, options));
}

void C10dBackend::allGather(std::vector<at::Tensor>& outputs, at::Tensor& input) {
    std::vector<std::vector<at::Tensor>> out{outputs};
    std::vector<at::Tensor> in{input};
    c10d::AllgatherOptions options;
    options.timeout = m->timeout;
    m->finish("allgather", m->group->allgather(out, in, options));
    for (size_t k = 0; k < outputs.size(); ++k)
        if (!out[0][k].is_same(outputs[k]))
            outputs[k].copy_(out[0][k]);
}

void C10dBackend::closeGroup() {
    m->group.reset();
}

void C10dBackend::abandon() {
    if (m->group)
        m->group.release();
    if (m->store)
        m->store.release();
}

#else  // no c10d headers in this LibTorch: every entry point says so

struct C10dBackend::Impl {};

namespace {
[[noreturn]] void noC10d() {
    throw DistError(
        "this build of RecScope has no torch.distributed support (LibTorch without "
        "the c10d headers)");
}
}  // namespace

bool C10dBackend::hasGloo() {
    return false;
}
bool C10dBackend::hasNccl() {
    return false;
}
C10dBackend::C10dBackend(std::unique_ptr<Impl> impl) : m(std::move(impl)) {}
C10dBackend::~C10dBackend() = default;
std::unique_ptr<C10dBackend> C10dBackend::openStore(const std::string&, int, bool, int,
                                                    std::chrono::milliseconds) {
    noC10d();
}
void C10dBackend::set(const std::string&, const std::string&) {
    noC10d();
}
std::string C10dBackend::get(const std::string&) {
    noC10d();
}
bool C10dBackend::exists(const std::string&) {
    noC10d();
}
int64_t C10dBackend::add(const std::string&, int64_t) {
    noC10d();
}
void C10dBackend::setStoreTimeout(std::chrono::milliseconds) {}
void C10dBackend::startProcessGroup(const std::string&, const std::string&, int, int,
                                    const std::string&, int, std::chrono::milliseconds) {
    noC10d();
}
const std::string& C10dBackend::backend() const {
    static const std::string none;
    return none;
}
void C10dBackend::allReduceSum(at::Tensor&) {
    noC10d();
}
void C10dBackend::broadcast(at::Tensor&, int) {
    noC10d();
}
void C10dBackend::allGather(std::vector<at::Tensor>&, at::Tensor&) {
    noC10d();
}
void C10dBackend::closeGroup() {}
void C10dBackend::abandon() {}

#endif

}  // namespace recscope
