#include "core/data/DatasetReader.h"

#include <cstring>

#include "core/data/Ml100kReader.h"
#include "core/data/MlCsvReader.h"
#include "core/data/MlDatReader.h"
#include "core/data/RatingsParser.h"
#include "core/data/TextScan.h"

namespace recscope {

std::vector<std::string> DatasetReader::filesToRead(const DataSource& source,
                                                    const std::string& prefix) const {
    std::vector<std::string> files{prefix + ratingsFile()};
    for (const auto& c : companionFiles())
        if (source.has(prefix + c))
            files.push_back(prefix + c);
    return files;
}

const std::vector<const DatasetReader*>& DatasetReader::registry() {
    static const Ml100kReader ml100k;
    static const MlDatReader dat;
    static const MlCsvReader csv;
    static const std::vector<const DatasetReader*> all{&ml100k, &dat, &csv};
    return all;
}

namespace {
void splitEntry(const std::string& entry, std::string& prefix, std::string& base) {
    const size_t slash = entry.rfind('/');
    prefix = slash == std::string::npos ? std::string() : entry.substr(0, slash + 1);
    base = slash == std::string::npos ? entry : entry.substr(slash + 1);
}
}  // namespace

Result<DatasetReader::Detection> DatasetReader::detect(const DataSource& source) {
    std::vector<Detection> found;
    std::vector<std::string> foundNames;
    std::string prefix, base;
    for (const auto& entry : source.entries()) {
        splitEntry(entry, prefix, base);
        for (const DatasetReader* r : registry()) {
            if (base == r->ratingsFile()) {
                found.push_back(Detection{r, prefix, r->formatOf(source, prefix)});
                foundNames.push_back(entry);
            }
        }
    }
    const std::string where = source.isZip() ? "archive" : "folder";
    if (found.size() > 1) {
        std::string list;
        for (size_t i = 0; i < foundNames.size(); ++i)
            list += (i ? ", " : "") + foundNames[i];
        return makeError(
            "more than one MovieLens release found (" + list + "): open one release at a time",
            source.path());
    }
    if (found.empty()) {
        // A companion without its ratings file: name exactly what is missing.
        for (const auto& entry : source.entries()) {
            splitEntry(entry, prefix, base);
            for (const DatasetReader* r : registry()) {
                for (const auto& c : r->companionFiles()) {
                    if (base == c)
                        return makeError("missing ratings file: found " + entry + " but no " +
                                             prefix + r->ratingsFile(),
                                         source.path());
                }
            }
        }
        return makeError("no MovieLens ratings file in this " + where +
                             ": looked for u.data (100K), ratings.dat (1M, 10M) and ratings.csv "
                             "(20M, 25M, 32M, latest), at the top or one folder down",
                         source.path());
    }
    return found.front();
}

Status DatasetReader::readRatings(const ReadContext& ctx, const std::string& entry, int layout,
                                  const RatingScale& scale, const char* header,
                                  DatasetBuilder& out) {
    const std::string file = ctx.source->displayName(entry);
    report(ctx.progress, "Reading " + entry, 0.0);
    auto buf = ctx.source->read(entry);
    if (!buf)
        return buf.error();
    const char* data = buf->data();
    const size_t size = buf->size();
    const auto lay = static_cast<RatingLayout>(layout);
    const std::string shape = lay == RatingLayout::Csv ? "userId,movieId,rating,timestamp"
                              : lay == RatingLayout::Tab
                                  ? "user id<TAB>item id<TAB>rating<TAB>timestamp"
                                  : "UserID::MovieID::Rating::Timestamp";
    size_t body = text::bomLength(data, size);
    if (text::trim(std::string_view(data + body, size - body)).empty())
        return makeError("empty file: expected lines of " + shape, file);
    if (header) {
        text::LineCursor cur(data, size, body);
        std::string_view first;
        cur.next(first);
        if (text::trim(first) != header)
            return makeError(std::string("missing or wrong header: expected '") + header +
                                 "', found " + text::quoteField(first),
                             file, 1);
        const char* nl = static_cast<const char*>(std::memchr(data + body, '\n', size - body));
        body = nl ? static_cast<size_t>(nl - data) + 1 : size;
    }
    RatingsParser::Job job;
    job.data = data;
    job.size = size;
    job.bodyStart = body;
    job.layout = lay;
    job.scale = scale;
    job.fileName = file;
    job.threads = ctx.threads;
    job.progress = ctx.progress;
    job.progressFrom = 0.0;
    job.progressTo = 0.85;
    job.stage = "Parsing " + entry;
    job.cancel = ctx.cancel;
    auto rows = RatingsParser::parse(job, out);
    if (!rows)
        return rows.error();
    if (rows.value() == 0)
        return makeError(
            "no ratings: expected lines of " + shape + (header ? " after the header" : ""), file,
            header ? 2 : 1);
    return {};
}

}  // namespace recscope
