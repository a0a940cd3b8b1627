#pragma once
// The LibTorch half of the core (recscope_torch): its models join the registry, and LibTorch's
// intra-op thread pool follows setComputeThreads(), once a program calls this from main()
// before any other thread runs (the CLI, the GUI, the benchmarks, the tests through
// tests/support/TorchModels.cpp). Calling it again changes nothing.

namespace recscope {

class ModelRegistry;

void registerTorchModels();
// mf, bpr, neuralmf, neumf, twotower, sasrec, pipeline into `registry` (what registerTorchModels()
// adds to the global one).
void registerNeuralModels(ModelRegistry& registry);

}  // namespace recscope
