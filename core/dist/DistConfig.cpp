#include "core/dist/DistConfig.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace recscope {

namespace {

// A whole decimal number in [lo, hi], or nullopt.
std::optional<long> parseInt(const std::string& text, long lo, long hi) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
        text.size() > 9)
        return std::nullopt;
    const long v = std::strtol(text.c_str(), nullptr, 10);
    if (v < lo || v > hi)
        return std::nullopt;
    return v;
}

Error envError(const std::string& name, const std::string& value, const std::string& expected) {
    return makeError(name + "='" + value + "' is not valid: expected " + expected);
}

constexpr int kMaxWorld = 65536;

}  // namespace

EnvLookup processEnvironment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v)
            return std::nullopt;
        return std::string(v);
    };
}

Result<std::optional<DistConfig>> resolveDistConfig(const DistOptions& options,
                                                    const EnvLookup& env) {
    DistConfig c;
    c.backend = options.backend.empty() ? "auto" : options.backend;
    if (c.backend != "auto" && c.backend != "gloo" && c.backend != "nccl")
        return makeError("--dist-backend must be auto, gloo or nccl, got '" + options.backend +
                         "'");
    std::string timeout = options.timeout;
    std::string timeoutSource = "--dist-timeout";
    if (timeout.empty()) {
        if (auto t = env("RECSCOPE_DIST_TIMEOUT")) {
            timeout = *t;
            timeoutSource = "RECSCOPE_DIST_TIMEOUT";
        }
    }
    if (!timeout.empty()) {
        char* end = nullptr;
        errno = 0;
        const double t = std::strtod(timeout.c_str(), &end);
        if (errno != 0 || *end != '\0' || !std::isfinite(t) || t < 1.0 || t > 86400.0)
            return makeError(timeoutSource +
                             " must be a number of seconds between 1 and 86400, got '" + timeout +
                             "'");
        c.timeoutSeconds = t;
    }

    const std::string dist = options.dist;
    if (dist == "none")
        return std::optional<DistConfig>();
    const std::optional<std::string> worldText = env("WORLD_SIZE");
    if (dist.empty() && !worldText)
        return std::optional<DistConfig>();
    if (!dist.empty() && dist != "env://" && dist.rfind("tcp://", 0) != 0)
        return makeError("--dist must be env://, tcp://HOST:PORT or none, got '" + dist + "'");
    if (!worldText)
        return makeError("--dist " + dist +
                         " needs WORLD_SIZE and RANK in the environment (as torchrun or srun "
                         "set them)");
    const auto world = parseInt(*worldText, 1, kMaxWorld);
    if (!world)
        return envError("WORLD_SIZE", *worldText,
                        "a whole number of processes between 1 and " + std::to_string(kMaxWorld));
    c.worldSize = int(*world);
    if (dist.empty() && c.worldSize == 1)
        return std::optional<DistConfig>();  // a world of one without --dist: a plain run

    const std::optional<std::string> rankText = env("RANK");
    if (!rankText)
        return makeError("WORLD_SIZE=" + *worldText + " is set but RANK is not");
    const auto rank = parseInt(*rankText, 0, kMaxWorld);
    if (!rank)
        return envError("RANK", *rankText, "a whole number from 0");
    if (*rank >= c.worldSize)
        return makeError("RANK=" + *rankText + " is outside 0.." + std::to_string(c.worldSize - 1) +
                         " (WORLD_SIZE=" + *worldText + ")");
    c.rank = int(*rank);
    c.localRank = c.rank;
    if (auto local = env("LOCAL_RANK")) {
        const auto lr = parseInt(*local, 0, kMaxWorld);
        if (!lr)
            return envError("LOCAL_RANK", *local, "a whole number from 0");
        c.localRank = int(*lr);
    }

    if (auto local = env("LOCAL_WORLD_SIZE")) {
        const auto lw = parseInt(*local, 1, kMaxWorld);
        if (!lw)
            return envError("LOCAL_WORLD_SIZE", *local, "a whole number from 1");
        c.localWorldSize = int(*lw);
    }
    if (auto agent = env("TORCHELASTIC_USE_AGENT_STORE"))
        c.agentStore = *agent == "True" || *agent == "true" || *agent == "1";
    if (auto restart = env("TORCHELASTIC_RESTART_COUNT"); restart && parseInt(*restart, 0, 1 << 30))
        c.attempt = *restart;

    std::string portText;
    if (dist.rfind("tcp://", 0) == 0) {
        const std::string hostPort = dist.substr(6);
        const size_t colon = hostPort.rfind(':');
        if (colon == std::string::npos || colon == 0)
            return makeError("--dist tcp:// needs HOST:PORT, got '" + dist + "'");
        c.masterAddr = hostPort.substr(0, colon);
        if (c.masterAddr.size() > 2 && c.masterAddr.front() == '[' && c.masterAddr.back() == ']')
            c.masterAddr = c.masterAddr.substr(1, c.masterAddr.size() - 2);
        portText = hostPort.substr(colon + 1);
        const auto port = parseInt(portText, 1, 65535);
        if (!port)
            return makeError("--dist " + dist + ": the port must be between 1 and 65535");
        c.masterPort = int(*port);
    } else {
        const auto addr = env("MASTER_ADDR");
        if (!addr || addr->empty())
            return makeError("MASTER_ADDR is not set: the address of the machine that runs rank 0");
        c.masterAddr = *addr;
        const auto port = env("MASTER_PORT");
        if (!port)
            return makeError("MASTER_PORT is not set: a free TCP port on " + c.masterAddr);
        const auto p = parseInt(*port, 1, 65535);
        if (!p)
            return envError("MASTER_PORT", *port, "a TCP port between 1 and 65535");
        c.masterPort = int(*p);
    }
    return std::optional<DistConfig>(c);
}

std::string deviceForRank(const std::string& device, const DistConfig& config) {
    if (device == "cuda")
        return "cuda:" + std::to_string(config.localRank);
    return device;
}

int threadsForRank(const DistConfig& config, int cores) {
    return std::max(1, cores / std::max(1, config.localWorldSize));
}

}  // namespace recscope
