// core/common/Allocator.h: the settings apply, and a user's own glibc settings win.
#include <QtTest>
#include <cstdlib>

#include "core/common/Allocator.h"

using namespace recscope;

class TestAllocator : public QObject {
    Q_OBJECT
private slots:
    void appliesWithoutUserSettings() {
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("AddressSanitizer replaces malloc: glibc's mallopt() settings do not apply");
#endif
        for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
                                 "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"})
            unsetenv(name);
#if defined(__GLIBC__)
        QVERIFY(tuneAllocatorForTraining());
        // A 32 MB block now comes from the heap and is reused, not mapped afresh: it works.
        void* p = std::malloc(32u << 20);
        QVERIFY(p);
        std::free(p);
#else
        QVERIFY(!tuneAllocatorForTraining());
#endif
    }
    void userSettingsWin() {
        for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
                                 "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"}) {
            setenv(name, "1", 1);
            QVERIFY2(!tuneAllocatorForTraining(), name);
            unsetenv(name);
        }
    }
};

QTEST_APPLESS_MAIN(TestAllocator)
#include "tst_allocator.moc"
