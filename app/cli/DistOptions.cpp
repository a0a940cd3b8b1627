#include "app/cli/DistOptions.h"

namespace recscope::cli {

void addDistOptions(ArgParser& parser) {
    parser.addOption("dist", "URL",
                     "Data-parallel rendezvous: env:// (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, "
                     "RANK from the environment, as torchrun and srun set them), "
                     "tcp://HOST:PORT, or none",
                     "env:// when WORLD_SIZE > 1");
    parser.addOption("dist-backend", "NAME", "auto (nccl for cuda when built with it), gloo, nccl",
                     "auto");
    parser.addOption("dist-timeout", "SECONDS",
                     "How long a rank waits for the others (rendezvous, each collective) "
                     "before every rank ends with an error",
                     "RECSCOPE_DIST_TIMEOUT, else 300");
}

Result<std::optional<DistConfig>> distConfigFromArgs(const ArgParser& parser) {
    DistOptions options;
    options.dist = parser.value("dist");
    options.backend = parser.value("dist-backend");
    options.timeout = parser.value("dist-timeout");
    if (parser.has("dist") && options.dist.empty())
        return makeError("--dist needs a value: env://, tcp://HOST:PORT or none");
    return resolveDistConfig(options, processEnvironment());
}

}  // namespace recscope::cli
