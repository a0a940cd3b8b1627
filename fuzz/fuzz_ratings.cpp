// RatingsParser on arbitrary bytes in each layout and scale, with 1 and 3 threads (the chunk
// boundaries are where the parallel parser is most delicate). The parsed rows are built into a
// Dataset so the builder's id remapping and CSR construction see the same odd input.

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/data/DatasetBuilder.h"
#include "core/data/RatingsParser.h"

using namespace recscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1)
        return 0;
    const uint8_t selector = data[0];
    RatingsParser::Job job;
    job.data = reinterpret_cast<const char*>(data + 1);
    job.size = size - 1;
    job.layout = static_cast<RatingLayout>(selector % 3);
    job.scale = (selector & 4) ? RatingScale{0.5f, 5.0f, 0.5f} : RatingScale{1.0f, 5.0f, 1.0f};
    job.threads = (selector & 8) ? 3 : 1;
    job.fileName = "fuzz";
    DatasetBuilder builder;
    const Result<int64_t> rows = RatingsParser::parse(job, builder);
    if (rows && rows.value() > 0) {
        const Dataset d = builder.build(DatasetFormat::MlCsv, "fuzz", job.scale, 1);
        if (d.numRatings() != rows.value())
            __builtin_trap();  // every parsed row must reach the dataset
    }
    return 0;
}
