#include "core/data/MlDatReader.h"

#include "core/data/RatingsParser.h"
#include "core/data/TextScan.h"

namespace recscope {

const char* MlDatReader::name() const {
    return "dat";
}
const char* MlDatReader::ratingsFile() const {
    return "ratings.dat";
}
std::vector<std::string> MlDatReader::companionFiles() const {
    return {"movies.dat", "users.dat"};
}
DatasetFormat MlDatReader::formatOf(const DataSource& source, const std::string& prefix) const {
    return source.has(prefix + "users.dat") ? DatasetFormat::Ml1m : DatasetFormat::Ml10m;
}
RatingScale MlDatReader::scale(DatasetFormat format) const {
    if (format == DatasetFormat::Ml1m)
        return RatingScale{1.0f, 5.0f, 1.0f};
    return RatingScale{0.5f, 5.0f, 0.5f};
}

namespace {

// ML-1M README: occupation codes.
const char* const kOccupations[] = {"other",
                                    "academic/educator",
                                    "artist",
                                    "clerical/admin",
                                    "college/grad student",
                                    "customer service",
                                    "doctor/health care",
                                    "executive/managerial",
                                    "farmer",
                                    "homemaker",
                                    "K-12 student",
                                    "lawyer",
                                    "programmer",
                                    "retired",
                                    "sales/marketing",
                                    "scientist",
                                    "self-employed",
                                    "technician/engineer",
                                    "tradesman/craftsman",
                                    "unemployed",
                                    "writer"};

Status readMovies(const ReadContext& ctx, DatasetBuilder& out) {
    const std::string entry = ctx.prefix + "movies.dat";
    if (!ctx.source->has(entry))
        return {};
    auto buf = ctx.source->read(entry);
    if (!buf)
        return buf.error();
    const std::string file = ctx.source->displayName(entry);
    const bool latin1 = !text::isValidUtf8(buf->data(), buf->size());
    text::LineCursor cur(buf->data(), buf->size());
    std::string_view line;
    std::vector<std::string_view> f;
    std::string err;
    std::vector<int64_t> ids;
    std::vector<std::string> titles, genreLists;
    while (cur.next(line)) {
        if (text::trim(line).empty())
            continue;
        text::split(line, "::", f);
        if (f.size() != 3)
            return makeError(std::string(f.size() < 3 ? "missing column" : "extra column") +
                                 ": expected 3 fields (MovieID::Title::Genres) separated by "
                                 "'::', found " +
                                 std::to_string(f.size()),
                             file, cur.lineNumber());
        int64_t id = 0;
        if (!text::parseId(f[0], "MovieID", id, err))
            return makeError(err, file, cur.lineNumber());
        ids.push_back(id);
        titles.push_back(latin1 ? text::latin1ToUtf8(f[1]) : std::string(f[1]));
        genreLists.emplace_back(f[2]);
    }
    if (ids.empty())
        return makeError("empty file: expected lines of MovieID::Title::Genres", file);
    std::vector<std::string> names;
    std::vector<uint32_t> masks;
    if (!text::assignGenres(genreLists, "(no genres listed)", names, masks, err))
        return makeError(err, file);
    for (size_t i = 0; i < ids.size(); ++i)
        out.addItem(ids[i], std::move(titles[i]), masks[i]);
    out.setGenreNames(std::move(names));
    return {};
}

Status readUsers(const ReadContext& ctx, DatasetBuilder& out) {
    const std::string entry = ctx.prefix + "users.dat";
    if (!ctx.source->has(entry))
        return {};
    auto buf = ctx.source->read(entry);
    if (!buf)
        return buf.error();
    const std::string file = ctx.source->displayName(entry);
    text::LineCursor cur(buf->data(), buf->size());
    std::string_view line;
    std::vector<std::string_view> f;
    std::string err;
    while (cur.next(line)) {
        if (text::trim(line).empty())
            continue;
        text::split(line, "::", f);
        if (f.size() != 5)
            return makeError(std::string(f.size() < 5 ? "missing column" : "extra column") +
                                 ": expected 5 fields (UserID::Gender::Age::Occupation::Zip-code) "
                                 "separated by '::', found " +
                                 std::to_string(f.size()),
                             file, cur.lineNumber());
        int64_t id = 0, age = 0, occ = 0;
        if (!text::parseId(f[0], "UserID", id, err) || !text::parseInt(f[2], "Age", age, err) ||
            !text::parseInt(f[3], "Occupation", occ, err))
            return makeError(err, file, cur.lineNumber());
        const std::string_view g = text::trim(f[1]);
        if (g != "M" && g != "F")
            return makeError("Gender " + text::quoteField(g) + ": expected M or F", file,
                             cur.lineNumber());
        if (age < 0 || age > 200)
            return makeError("Age " + std::to_string(age) + " out of range: expected 0..200", file,
                             cur.lineNumber());
        if (occ < 0 || occ > 20)
            return makeError(
                "Occupation " + std::to_string(occ) + " out of range: expected a code 0..20", file,
                cur.lineNumber());
        out.addUser(id, static_cast<int16_t>(age), g[0], kOccupations[occ],
                    std::string(text::trim(f[4])));
    }
    return {};
}

}  // namespace

Status MlDatReader::read(const ReadContext& ctx, DatasetBuilder& out) const {
    Status st =
        readRatings(ctx, ctx.prefix + "ratings.dat", static_cast<int>(RatingLayout::DoubleColon),
                    scale(ctx.format), nullptr, out);
    if (!st)
        return st;
    report(ctx.progress, "Reading movies and users", 0.9);
    if (!(st = readMovies(ctx, out)))
        return st;
    return readUsers(ctx, out);
}

}  // namespace recscope
