#include "core/data/Ml100kReader.h"

#include "core/data/RatingsParser.h"
#include "core/data/TextScan.h"

namespace recscope {

const char* Ml100kReader::name() const {
    return "100k";
}
const char* Ml100kReader::ratingsFile() const {
    return "u.data";
}
std::vector<std::string> Ml100kReader::companionFiles() const {
    return {"u.item", "u.genre", "u.user"};
}
DatasetFormat Ml100kReader::formatOf(const DataSource&, const std::string&) const {
    return DatasetFormat::Ml100k;
}
RatingScale Ml100kReader::scale(DatasetFormat) const {
    return RatingScale{1.0f, 5.0f, 1.0f};
}

namespace {

const char* const kDefaultGenres[] = {
    "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
    "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
    "Romance",     "Sci-Fi", "Thriller",  "War",       "Western"};

Status readGenres(const ReadContext& ctx, std::vector<std::string>& names) {
    const std::string entry = ctx.prefix + "u.genre";
    names.assign(std::begin(kDefaultGenres), std::end(kDefaultGenres));
    if (!ctx.source->has(entry))
        return {};
    auto buf = ctx.source->read(entry);
    if (!buf)
        return buf.error();
    const std::string file = ctx.source->displayName(entry);
    const bool latin1 = !text::isValidUtf8(buf->data(), buf->size());
    names.clear();
    text::LineCursor cur(buf->data(), buf->size());
    std::string_view line;
    std::vector<std::string_view> f;
    std::string err;
    while (cur.next(line)) {
        if (text::trim(line).empty())
            continue;
        text::split(line, "|", f);
        int64_t index = 0;
        if (f.size() != 2)
            return makeError("expected 2 fields (genre|index) separated by '|', found " +
                                 std::to_string(f.size()),
                             file, cur.lineNumber());
        if (!text::parseInt(f[1], "genre index", index, err))
            return makeError(err, file, cur.lineNumber());
        if (index != static_cast<int64_t>(names.size()))
            return makeError("genre index " + std::to_string(index) + " out of order: expected " +
                                 std::to_string(names.size()),
                             file, cur.lineNumber());
        if (names.size() >= 32)
            return makeError("too many genres: at most 32", file, cur.lineNumber());
        names.push_back(latin1 ? text::latin1ToUtf8(f[0]) : std::string(f[0]));
    }
    if (names.empty())
        return makeError("empty file: expected lines of genre|index", file);
    return {};
}

Status readItems(const ReadContext& ctx, size_t numGenres, DatasetBuilder& out) {
    const std::string entry = ctx.prefix + "u.item";
    if (!ctx.source->has(entry))
        return {};
    auto buf = ctx.source->read(entry);
    if (!buf)
        return buf.error();
    const std::string file = ctx.source->displayName(entry);
    const bool latin1 = !text::isValidUtf8(buf->data(), buf->size());
    const size_t expected = 5 + numGenres;
    text::LineCursor cur(buf->data(), buf->size());
    std::string_view line;
    std::vector<std::string_view> f;
    std::string err;
    bool any = false;
    while (cur.next(line)) {
        if (text::trim(line).empty())
            continue;
        any = true;
        text::split(line, "|", f);
        if (f.size() != expected) {
            const bool tabs = f.size() == 1 && line.find('\t') != std::string_view::npos;
            return makeError(std::string(tabs ? "wrong delimiter: " : "") + "expected " +
                                 std::to_string(expected) +
                                 " fields (movie id|title|release date|video release date|IMDb "
                                 "URL|" +
                                 std::to_string(numGenres) +
                                 " genre flags) separated by '|', found " +
                                 std::to_string(f.size()),
                             file, cur.lineNumber());
        }
        int64_t id = 0;
        if (!text::parseId(f[0], "movie id", id, err))
            return makeError(err, file, cur.lineNumber());
        uint32_t mask = 0;
        for (size_t g = 0; g < numGenres; ++g) {
            const std::string_view flag = text::trim(f[5 + g]);
            if (flag == "1")
                mask |= uint32_t(1) << g;
            else if (flag != "0")
                return makeError("genre flag " + text::quoteField(flag) + " in field " +
                                     std::to_string(6 + g) + ": expected 0 or 1",
                                 file, cur.lineNumber());
        }
        out.addItem(id, latin1 ? text::latin1ToUtf8(f[1]) : std::string(f[1]), mask);
    }
    if (!any)
        return makeError("empty file: expected lines of movie id|title|...", file);
    return {};
}

Status readUsers(const ReadContext& ctx, DatasetBuilder& out) {
    const std::string entry = ctx.prefix + "u.user";
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
    while (cur.next(line)) {
        if (text::trim(line).empty())
            continue;
        text::split(line, "|", f);
        if (f.size() != 5)
            return makeError(
                "expected 5 fields (user id|age|gender|occupation|zip code) "
                "separated by '|', found " +
                    std::to_string(f.size()),
                file, cur.lineNumber());
        int64_t id = 0, age = 0;
        if (!text::parseId(f[0], "user id", id, err) || !text::parseInt(f[1], "age", age, err))
            return makeError(err, file, cur.lineNumber());
        if (age < 0 || age > 200)
            return makeError("age " + std::to_string(age) + " out of range: expected 0..200", file,
                             cur.lineNumber());
        const std::string_view g = text::trim(f[2]);
        if (g != "M" && g != "F")
            return makeError("gender " + text::quoteField(g) + ": expected M or F", file,
                             cur.lineNumber());
        auto conv = [latin1](std::string_view s) {
            return latin1 ? text::latin1ToUtf8(s) : std::string(s);
        };
        out.addUser(id, static_cast<int16_t>(age), g[0], conv(text::trim(f[3])),
                    conv(text::trim(f[4])));
    }
    return {};
}

}  // namespace

Status Ml100kReader::read(const ReadContext& ctx, DatasetBuilder& out) const {
    Status st = readRatings(ctx, ctx.prefix + "u.data", static_cast<int>(RatingLayout::Tab),
                            scale(ctx.format), nullptr, out);
    if (!st)
        return st;
    report(ctx.progress, "Reading movies and users", 0.9);
    std::vector<std::string> genres;
    if (!(st = readGenres(ctx, genres)))
        return st;
    if (!(st = readItems(ctx, genres.size(), out)))
        return st;
    if (!(st = readUsers(ctx, out)))
        return st;
    out.setGenreNames(std::move(genres));
    return {};
}

}  // namespace recscope
