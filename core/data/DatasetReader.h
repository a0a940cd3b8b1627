#pragma once
// One reader per MovieLens release family, registered in a small static registry (like the file
// format plugins of Tiled). A reader names the file that identifies its release, lists the files
// it would read (for the cache fingerprint) and parses them into a DatasetBuilder.
//
// Readers are stateless singletons: read() may run for different sources on several threads.

#include <string>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/data/DataSource.h"
#include "core/data/Dataset.h"
#include "core/data/DatasetBuilder.h"

namespace recscope {

struct ReadContext {
    const DataSource* source = nullptr;
    std::string prefix;  // "" or the one folder inside the source, with '/': "ml-100k/"
    DatasetFormat format = DatasetFormat::MlCsv;
    int threads = 1;
    ProgressFn progress;  // fractions 0..1 of the reading stage
    const CancelToken* cancel = nullptr;
};

class DatasetReader {
public:
    virtual ~DatasetReader() = default;
    virtual const char* name() const = 0;         // "100k", "dat", "csv"
    virtual const char* ratingsFile() const = 0;  // identifies the release: "u.data"
    // Other files of the release; any of them without the ratings file means "missing ratings".
    virtual std::vector<std::string> companionFiles() const = 0;
    virtual DatasetFormat formatOf(const DataSource& source, const std::string& prefix) const = 0;
    virtual RatingScale scale(DatasetFormat format) const = 0;
    virtual Status read(const ReadContext& ctx, DatasetBuilder& out) const = 0;

    // The ratings file and the companions present in the source (entry names).
    std::vector<std::string> filesToRead(const DataSource& source, const std::string& prefix) const;

    static const std::vector<const DatasetReader*>& registry();

    struct Detection {
        const DatasetReader* reader = nullptr;
        std::string prefix;
        DatasetFormat format = DatasetFormat::MlCsv;
    };
    // Exactly one release in the source, or an error naming what was looked for / found.
    static Result<Detection> detect(const DataSource& source);

protected:
    // Reads and parses a ratings entry (progress 0..0.85 of the stage). header: the exact first
    // line expected, or null when the file has none. An empty file or one without rows is an
    // error.
    static Status readRatings(const ReadContext& ctx, const std::string& entry, int layout,
                              const RatingScale& scale, const char* header, DatasetBuilder& out);
};

}  // namespace recscope
