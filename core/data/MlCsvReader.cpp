#include "core/data/MlCsvReader.h"

#include "core/data/RatingsParser.h"
#include "core/data/TextScan.h"

namespace recscope {

const char* MlCsvReader::name() const {
    return "csv";
}
const char* MlCsvReader::ratingsFile() const {
    return "ratings.csv";
}
std::vector<std::string> MlCsvReader::companionFiles() const {
    return {"movies.csv"};
}
DatasetFormat MlCsvReader::formatOf(const DataSource&, const std::string&) const {
    return DatasetFormat::MlCsv;
}
RatingScale MlCsvReader::scale(DatasetFormat) const {
    return RatingScale{0.5f, 5.0f, 0.5f};
}

namespace {

Status readMovies(const ReadContext& ctx, DatasetBuilder& out) {
    const std::string entry = ctx.prefix + "movies.csv";
    if (!ctx.source->has(entry))
        return {};
    auto buf = ctx.source->read(entry);
    if (!buf)
        return buf.error();
    const std::string file = ctx.source->displayName(entry);
    const char* data = buf->data();
    const size_t size = buf->size();
    const size_t bom = text::bomLength(data, size);
    // The CSV releases are UTF-8; a Latin-1 file (hand-edited) is converted rather than refused.
    const bool latin1 = !text::isValidUtf8(data + bom, size - bom);
    text::LineCursor cur(data, size, bom);
    std::string_view line;
    if (!cur.next(line) || text::trim(std::string_view(data + bom, size - bom)).empty())
        return makeError("empty file: expected the header 'movieId,title,genres'", file);
    if (text::trim(line) != "movieId,title,genres")
        return makeError("missing or wrong header: expected 'movieId,title,genres', found " +
                             text::quoteField(line),
                         file, 1);
    std::vector<std::string> f;
    std::string err;
    std::vector<int64_t> ids;
    std::vector<std::string> titles, genreLists;
    while (cur.next(line)) {
        if (text::trim(line).empty())
            continue;
        if (!text::splitCsv(line, f, err))
            return makeError(err, file, cur.lineNumber());
        if (f.size() != 3)
            return makeError(std::string(f.size() < 3 ? "missing column" : "extra column") +
                                 ": expected 3 fields (movieId,title,genres), found " +
                                 std::to_string(f.size()) + " (titles with commas must be quoted)",
                             file, cur.lineNumber());
        int64_t id = 0;
        if (!text::parseId(f[0], "movieId", id, err))
            return makeError(err, file, cur.lineNumber());
        ids.push_back(id);
        titles.push_back(latin1 ? text::latin1ToUtf8(f[1]) : std::move(f[1]));
        genreLists.push_back(std::move(f[2]));
    }
    std::vector<std::string> names;
    std::vector<uint32_t> masks;
    if (!text::assignGenres(genreLists, "(no genres listed)", names, masks, err))
        return makeError(err, file);
    for (size_t i = 0; i < ids.size(); ++i)
        out.addItem(ids[i], std::move(titles[i]), masks[i]);
    out.setGenreNames(std::move(names));
    return {};
}

}  // namespace

Status MlCsvReader::read(const ReadContext& ctx, DatasetBuilder& out) const {
    Status st = readRatings(ctx, ctx.prefix + "ratings.csv", static_cast<int>(RatingLayout::Csv),
                            scale(ctx.format), "userId,movieId,rating,timestamp", out);
    if (!st)
        return st;
    report(ctx.progress, "Reading movies", 0.9);
    return readMovies(ctx, out);
}

}  // namespace recscope
