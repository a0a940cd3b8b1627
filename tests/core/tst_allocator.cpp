// core/common/Allocator.h: the settings apply (a large block from a worker thread comes from the
// heap and is reused), and a user's own glibc settings win.
#include <QtTest>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "core/common/Allocator.h"

using namespace recscope;

namespace {

const char* const kUserSettings[] = {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
                                     "MALLOC_TOP_PAD_", "MALLOC_ARENA_MAX", "GLIBC_TUNABLES"};

#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 33)
// Bytes glibc holds in blocks it mapped with mmap() of their own while `bytes` were held: the
// largest figure seen over `rounds` allocations (each touched, then freed), made in this thread
// or in a new one.
size_t mappedWhileHeld(size_t bytes, int rounds, bool newThread) {
    size_t most = 0;
    auto work = [&] {
        for (int r = 0; r < rounds; ++r) {
            auto* p = static_cast<char*>(std::malloc(bytes));
            if (!p)
                return;
            std::memset(p, r, bytes);
            most = std::max(most, mallinfo2().hblkhd);
            std::free(p);
        }
    };
    if (newThread)
        std::thread(work).join();
    else
        work();
    return most;
}
#endif

}  // namespace

class TestAllocator : public QObject {
    Q_OBJECT
private slots:
    void appliesWithoutUserSettings() {
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("AddressSanitizer replaces malloc: glibc's mallopt() settings do not apply");
#endif
        for (const char* name : kUserSettings)
            unsetenv(name);
#if defined(__GLIBC__)
#if __GLIBC_PREREQ(2, 33)
        // glibc's defaults: a block this size is mapped afresh (and its pages faulted in) on
        // every allocation. Checked first, so that the test can tell the settings did it; in
        // the main thread, since a thread started before the settings keeps its own arena.
        const size_t block = size_t{300} << 20;
        QVERIFY2(mappedWhileHeld(block, 1, false) >= block, "glibc maps 300 MB by default");
#endif
        QVERIFY(tuneAllocatorForTraining());
#if __GLIBC_PREREQ(2, 33)
        // Now a worker thread (as the explorer's training) gets it from the main heap, and the
        // next allocation reuses the same pages.
        QCOMPARE(mappedWhileHeld(block, 3, true), size_t{0});
        const size_t before = mallinfo2().arena;
        QVERIFY(before >= block);  // kept for reuse ...
        releaseFreeHeap();
        QVERIFY(mallinfo2().fordblks < block);  // ... until handed back
#endif
#else
        QVERIFY(!tuneAllocatorForTraining());
#endif
    }
    void userSettingsWin() {
        for (const char* name : kUserSettings) {
            setenv(name, "1", 1);
            QVERIFY2(!tuneAllocatorForTraining(), name);
            unsetenv(name);
        }
    }
};

QTEST_APPLESS_MAIN(TestAllocator)
#include "tst_allocator.moc"
