#pragma once
// The hot loop of every reader: parses "user SEP item SEP rating SEP timestamp" lines in
// parallel. The buffer is split at line boundaries into one chunk per thread; each thread fills
// its own RawRatings, handed to the builder in file order (no concatenation). A strict fast path
// handles the usual shapes; any line it rejects is re-parsed by a careful slow path, which either
// accepts it (odd but valid: spaces, "+3", "4.50") or produces the error text. Line numbers are
// only counted when an error is reported.

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/data/Dataset.h"
#include "core/data/DatasetBuilder.h"

namespace recscope {

enum class RatingLayout {
    Csv,          // 1,31,2.5,1260759144 (after a header line)
    DoubleColon,  // 1::122::5::838985046
    Tab           // 196\t242\t3\t881250949
};

class RatingsParser {
public:
    struct Job {
        const char* data = nullptr;
        size_t size = 0;
        size_t bodyStart = 0;  // first byte after any header
        RatingLayout layout = RatingLayout::Csv;
        RatingScale scale;
        std::string fileName;  // for errors
        int threads = 1;
        ProgressFn progress;  // called from the calling thread only
        double progressFrom = 0.0, progressTo = 1.0;
        std::string stage;
        const CancelToken* cancel = nullptr;
    };

    // Appends the parsed rows to out (as chunks). Returns the number of rows, or the first error
    // in file order, or "cancelled".
    static Result<int64_t> parse(const Job& job, DatasetBuilder& out);

    // Slow path for one line (without its line end). Exposed for tests and the metadata readers.
    static bool parseLineSlow(std::string_view line, RatingLayout layout, const RatingScale& scale,
                              int64_t& user, int64_t& item, uint8_t& half, int64_t& ts,
                              std::string& err);
};

}  // namespace recscope
