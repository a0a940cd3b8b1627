#pragma once
// How idle OpenMP threads wait: LibTorch's intra-op pool and OpenBLAS both run on libgomp,
// whose threads spin for a while when they run out of work (OMP_WAIT_POLICY=active). On a
// machine whose cores are busy with something else that spin takes the cores from the
// threads with work to do: on 2 cores, two-tower training on ML-100K took 13.3 s beside one
// CPU-bound process with spinning threads and 6.8 s with passive waiting (4.2 s alone).
//
// libgomp reads OMP_WAIT_POLICY once, when it is loaded, before main() runs. So a program
// that wants passive waiting by default calls preferPassiveOpenMpWaiting(argv) first thing:
// when the variable is not set, it sets it and executes the same program again with the
// same arguments (same process id). A user's own OMP_WAIT_POLICY is always kept.

#include <string>

namespace recscope {

// Returns when nothing had to change, or when the re-execution failed (the program then runs
// with libgomp's defaults, as before).
void preferPassiveOpenMpWaiting(char** argv);

// "passive (RecScope's default)", "active (OMP_WAIT_POLICY)", "libgomp's default (spins)".
std::string openMpWaitPolicy();

}  // namespace recscope
