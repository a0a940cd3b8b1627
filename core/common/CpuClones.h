#pragma once
// RECSCOPE_CPU_CLONES before a function with plain vectorisable loops: GCC compiles it for
// x86-64-v4 (AVX-512), x86-64-v3 (AVX2 + FMA) and the baseline, and picks the clone for the CPU
// found at run time (target_clones), since the build itself targets baseline x86-64.
// Not under ThreadSanitizer: the clones' resolver (an ifunc) runs while the program is being
// relocated, before TSan's runtime exists, and its instrumented code crashes.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define RECSCOPE_CPU_CLONES \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define RECSCOPE_CPU_CLONES
#endif
