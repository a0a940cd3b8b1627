#pragma once
// Who wrote a Running run: a token naming this process (pid, start time, random), and whether
// the process that wrote a token is still alive. Lets a workspace tell a run being trained by
// another live program from one left behind by a killed one. Linux /proc gives the start time
// that guards against pid reuse; elsewhere kill(pid, 0) alone decides.

#include <cstdint>
#include <string>

namespace recscope {

// "pid:starttime:random", fixed for the life of this process; recomputed after a fork, so a
// child's runs are not taken for its parent's. Thread-safe.
std::string processToken();

// False only when the process that wrote `token` (with that pid) has certainly ended.
bool ownerAlive(int64_t pid, const std::string& token);

}  // namespace recscope
