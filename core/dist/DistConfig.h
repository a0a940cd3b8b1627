#pragma once
// Where a data-parallel run's process group comes from: the torchrun / SLURM-style environment
// (WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT) and the run's --dist options.
// Plain C++ (no LibTorch): parsed and checked before any data is loaded or socket opened.

#include <functional>
#include <optional>
#include <string>

#include "core/common/Status.h"

namespace recscope {

struct DistConfig {
    int worldSize = 1;
    int rank = 0;            // 0 .. worldSize-1; rank 0 hosts the rendezvous store
    int localRank = 0;       // rank on this node (LOCAL_RANK, else RANK): picks cuda:N
    int localWorldSize = 1;  // ranks on this node (LOCAL_WORLD_SIZE): they share its cores
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;
    std::string backend = "auto";   // "auto" (NCCL for CUDA when built with it, else Gloo),
                                    // "gloo", "nccl"
    double timeoutSeconds = 300.0;  // rendezvous, each collective, a silent peer
    // torchrun's elastic agent already serves the store at MASTER_ADDR:MASTER_PORT
    // (TORCHELASTIC_USE_AGENT_STORE): rank 0 connects to it instead of hosting one, and the
    // keys carry the restart count (TORCHELASTIC_RESTART_COUNT) so a restarted group does not
    // read the previous attempt's keys.
    bool agentStore = false;
    std::string attempt = "0";

    bool leader() const { return rank == 0; }
};

// What the command line said; empty strings mean "not given".
struct DistOptions {
    std::string dist;     // "env://", "tcp://HOST:PORT", "none"; "" = env:// when WORLD_SIZE > 1
    std::string backend;  // "auto" | "gloo" | "nccl"; "" = auto
    std::string timeout;  // seconds; "" = RECSCOPE_DIST_TIMEOUT, else 300
};

// Environment lookup (injectable for tests): the value of a variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup processEnvironment();

// nullopt: a plain single-process run (no WORLD_SIZE, or WORLD_SIZE=1 without --dist, or
// --dist none). Errors name the variable or option and what was expected, e.g. "RANK=2 is
// outside 0..1 (WORLD_SIZE=2)".
Result<std::optional<DistConfig>> resolveDistConfig(const DistOptions& options,
                                                    const EnvLookup& env);

// "cuda" becomes "cuda:<localRank>" in a data-parallel run (one GPU per local rank); anything
// else is returned unchanged.
std::string deviceForRank(const std::string& device, const DistConfig& config);

// Compute threads of one rank when the command line sets none: the node's cores shared
// among its ranks (at least 1).
int threadsForRank(const DistConfig& config, int cores);

}  // namespace recscope
