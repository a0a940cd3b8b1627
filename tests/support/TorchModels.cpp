// Linked into every test that uses recscope_torch: its models join the registry before the
// test's main() runs, as registerTorchModels() does at the start of the programs' main().
#include "core/nn/TorchModels.h"

namespace {

const bool registered = [] {
    recscope::registerTorchModels();
    return true;
}();

}  // namespace
