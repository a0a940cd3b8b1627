#include "core/data/MovieLensWriter.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

namespace recscope {

namespace {

namespace fs = std::filesystem;

// The 19 genre columns of u.item, in file order (u.genre).
const char* const k100kGenres[] = {
    "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
    "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
    "Romance",     "Sci-Fi", "Thriller",  "War",       "Western"};
constexpr int k100kGenreCount = 19;

// u.occupation of ML-100K.
const char* const k100kOccupations[] = {
    "administrator", "artist",     "doctor",     "educator", "engineer",  "entertainment",
    "executive",     "healthcare", "homemaker",  "lawyer",   "librarian", "marketing",
    "none",          "other",      "programmer", "retired",  "salesman",  "scientist",
    "student",       "technician", "writer"};

// ML-1M occupation codes for the ML-100K names and the ML-1M README's own names.
struct OccupationCode {
    const char* name;
    int code;
};
const OccupationCode kOccupationCodes[] = {{"other", 0},
                                           {"academic/educator", 1},
                                           {"educator", 1},
                                           {"librarian", 1},
                                           {"artist", 2},
                                           {"clerical/admin", 3},
                                           {"administrator", 3},
                                           {"college/grad student", 4},
                                           {"student", 4},
                                           {"customer service", 5},
                                           {"doctor/health care", 6},
                                           {"doctor", 6},
                                           {"healthcare", 6},
                                           {"executive/managerial", 7},
                                           {"executive", 7},
                                           {"farmer", 8},
                                           {"homemaker", 9},
                                           {"K-12 student", 10},
                                           {"lawyer", 11},
                                           {"programmer", 12},
                                           {"retired", 13},
                                           {"sales/marketing", 14},
                                           {"marketing", 14},
                                           {"salesman", 14},
                                           {"scientist", 15},
                                           {"self-employed", 16},
                                           {"technician/engineer", 17},
                                           {"technician", 17},
                                           {"engineer", 17},
                                           {"tradesman/craftsman", 18},
                                           {"unemployed", 19},
                                           {"none", 19},
                                           {"writer", 20},
                                           {"entertainment", 2}};

// Decodes UTF-8 and re-encodes as Latin-1; code points above U+00FF and malformed bytes
// become '?', as the Latin-1 releases cannot hold them.
std::string toLatin1(const std::string& utf8) {
    std::string out;
    out.reserve(utf8.size());
    const size_t n = utf8.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char c = static_cast<unsigned char>(utf8[i]);
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
            ++i;
            continue;
        }
        int len = 0;
        uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        }
        bool valid = len > 0 && i + static_cast<size_t>(len) <= n;
        for (int k = 1; valid && k < len; ++k) {
            const unsigned char cc = static_cast<unsigned char>(utf8[i + static_cast<size_t>(k)]);
            if ((cc & 0xC0) != 0x80)
                valid = false;
            else
                cp = (cp << 6) | (cc & 0x3F);
        }
        if (!valid) {
            out.push_back('?');
            ++i;
            continue;
        }
        out.push_back(cp <= 0xFF ? static_cast<char>(cp) : '?');
        i += static_cast<size_t>(len);
    }
    return out;
}

// Genre names differ between releases: "Children's" (100K, 1M) vs "Children" (10M and later).
std::string genreNameFor(const std::string& name, DatasetFormat format) {
    const bool oldStyle = format == DatasetFormat::Ml100k || format == DatasetFormat::Ml1m;
    if (oldStyle && name == "Children")
        return "Children's";
    if (!oldStyle && name == "Children's")
        return "Children";
    return name;
}

// Position of a genre in the releases' own order (the 100K columns, then IMAX); the .dat and
// CSV files list an item's genres in that order, not alphabetically ("...|Romance|IMAX").
int releaseGenreRank(const std::string& name) {
    const std::string n = genreNameFor(name, DatasetFormat::Ml100k);
    for (int c = 1; c < k100kGenreCount; ++c)
        if (n == k100kGenres[c])
            return c;
    return n == "IMAX" ? k100kGenreCount : k100kGenreCount + 1;
}

std::string joinedGenres(const ItemMetadata& meta, size_t item, DatasetFormat format) {
    const uint32_t mask = item < meta.genreMasks.size() ? meta.genreMasks[item] : 0;
    std::vector<std::pair<int, std::string>> names;
    for (size_t g = 0; g < meta.genreNames.size() && g < 32; ++g)
        if (mask & (1u << g))
            names.emplace_back(releaseGenreRank(meta.genreNames[g]),
                               genreNameFor(meta.genreNames[g], format));
    std::sort(names.begin(), names.end());
    std::string out;
    for (const auto& n : names) {
        if (!out.empty())
            out.push_back('|');
        out += n.second;
    }
    return out.empty() ? "(no genres listed)" : out;
}

// Buffered output file that records the first failure.
class OutFile {
public:
    explicit OutFile(const fs::path& path) : m_path(path.string()), m_out(path, std::ios::binary) {
        m_buffer.reserve(kFlushAt + 4096);
    }
    ~OutFile() { (void)close(); }  // an unfinished write: its error was reported already

    OutFile& operator<<(const std::string& s) {
        m_buffer += s;
        maybeFlush();
        return *this;
    }
    OutFile& operator<<(const char* s) {
        m_buffer += s;
        maybeFlush();
        return *this;
    }
    OutFile& operator<<(char c) {
        m_buffer.push_back(c);
        return *this;
    }
    OutFile& operator<<(int64_t v) {
        char tmp[24];
        const auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
        m_buffer.append(tmp, r.ptr);
        maybeFlush();
        return *this;
    }

    Status close() {
        if (m_out.is_open()) {
            flush();
            m_out.close();
            if (m_out.fail())
                m_failed = true;
        }
        if (m_failed)
            return makeError("cannot write file", m_path);
        return {};
    }

private:
    static constexpr size_t kFlushAt = 1 << 20;
    void maybeFlush() {
        if (m_buffer.size() >= kFlushAt)
            flush();
    }
    void flush() {
        if (!m_out.is_open() || !m_out.good()) {
            m_failed = true;
        } else if (!m_buffer.empty()) {
            m_out.write(m_buffer.data(), static_cast<std::streamsize>(m_buffer.size()));
        }
        m_buffer.clear();
    }

    std::string m_path;
    std::ofstream m_out;
    std::string m_buffer;
    bool m_failed = false;
};

Status requireWholeStars(const Dataset& d, const char* formatLabel) {
    for (uint8_t h : d.halfStars())
        if (h % 2 != 0)
            return makeError(std::string("the ") + formatLabel +
                             " format stores whole-star ratings but the dataset has half stars "
                             "(write it as 10m or csv)");
    return {};
}

// Writes ratings in the dataset's order (users ascending, time order within a user), so that
// reading the files back reproduces the dataset exactly.
template <typename RatingText>
Status writeRatings(const Dataset& d, const fs::path& path, const char* header, const char* sep,
                    RatingText ratingText) {
    OutFile out(path);
    if (header)
        out << header;
    const auto& offsets = d.userOffsets();
    for (int32_t u = 0; u < d.numUsers(); ++u) {
        const int64_t userId = d.originalUserId(u);
        for (int64_t r = offsets[static_cast<size_t>(u)]; r < offsets[static_cast<size_t>(u) + 1];
             ++r) {
            const size_t s = static_cast<size_t>(r);
            out << userId << sep << d.originalItemId(d.items()[s]) << sep
                << ratingText(d.halfStars()[s]) << sep << d.timestamps()[s] << '\n';
        }
    }
    return out.close();
}

// The releases know only M and F (their readers reject anything else); unknown becomes M.
char releaseGender(char g) {
    return g == 'F' ? 'F' : 'M';
}

const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

Status write100k(const Dataset& d, const fs::path& dir) {
    if (Status s = requireWholeStars(d, "100k"); !s)
        return s;
    const auto whole = [](uint8_t h) { return std::to_string(h / 2); };
    if (Status s = writeRatings(d, dir / "u.data", nullptr, "\t", whole); !s)
        return s;

    const ItemMetadata& meta = d.itemMetadata();
    // Dataset genre bit -> u.item column (-1: no such column in 100K, e.g. IMAX).
    std::vector<int> column(meta.genreNames.size(), -1);
    for (size_t g = 0; g < meta.genreNames.size(); ++g) {
        const std::string name = genreNameFor(meta.genreNames[g], DatasetFormat::Ml100k);
        for (int c = 0; c < k100kGenreCount; ++c)
            if (name == k100kGenres[c])
                column[g] = c;
    }
    {
        OutFile out(dir / "u.item");
        for (int32_t i = 0; i < d.numItems(); ++i) {
            const size_t s = static_cast<size_t>(i);
            const std::string title = toLatin1(s < meta.titles.size() ? meta.titles[s] : "");
            const int year = s < meta.years.size() ? meta.years[s] : 0;
            std::string url;
            if (!title.empty()) {
                url = "http://us.imdb.com/M/title-exact?";
                for (char c : title) {
                    if (c == ' ')
                        url += "%20";
                    else if (c == '|')
                        url += "%7C";
                    else
                        url.push_back(c);
                }
            }
            std::string safeTitle = title;
            for (char& c : safeTitle)
                if (c == '|' || c == '\n' || c == '\r')
                    c = '/';
            bool flags[k100kGenreCount] = {};
            const uint32_t mask = s < meta.genreMasks.size() ? meta.genreMasks[s] : 0;
            bool any = false;
            for (size_t g = 0; g < column.size() && g < 32; ++g) {
                if ((mask & (1u << g)) && column[g] >= 0) {
                    flags[column[g]] = true;
                    any = true;
                }
            }
            if (!any)
                flags[0] = true;  // "unknown", as 100K marks items without genres
            out << d.originalItemId(i) << '|' << safeTitle << '|';
            if (year > 0)
                out << "01-" << kMonths[0] << '-' << static_cast<int64_t>(year);
            out << "||" << url;
            for (bool f : flags)
                out << (f ? "|1" : "|0");
            out << '\n';
        }
        if (Status s = out.close(); !s)
            return s;
    }
    {
        OutFile out(dir / "u.genre");
        for (int c = 0; c < k100kGenreCount; ++c)
            out << k100kGenres[c] << '|' << static_cast<int64_t>(c) << '\n';
        out << '\n';  // the release ends u.genre with an empty line
        if (Status s = out.close(); !s)
            return s;
    }
    {
        OutFile out(dir / "u.info");
        out << static_cast<int64_t>(d.numUsers()) << " users\n"
            << static_cast<int64_t>(d.numItems()) << " items\n"
            << d.numRatings() << " ratings\n";
        if (Status s = out.close(); !s)
            return s;
    }
    {
        OutFile out(dir / "u.occupation");
        for (const char* o : k100kOccupations)
            out << o << '\n';
        if (Status s = out.close(); !s)
            return s;
    }
    // u.user is optional for the readers: without user metadata it is left out rather than
    // filled with invented values.
    const UserMetadata& um = d.userMetadata();
    if (!um.present)
        return {};
    OutFile out(dir / "u.user");
    for (int32_t u = 0; u < d.numUsers(); ++u) {
        const size_t s = static_cast<size_t>(u);
        const bool has = s < um.ages.size();
        out << d.originalUserId(u) << '|' << static_cast<int64_t>(has ? um.ages[s] : 0) << '|'
            << releaseGender(has ? um.genders[s] : '?') << '|'
            << (has && !um.occupations[s].empty() ? toLatin1(um.occupations[s]) : "none") << '|'
            << (has ? toLatin1(um.zipCodes[s]) : "00000") << '\n';
    }
    return out.close();
}

int ageCode1m(int age) {
    if (age <= 0)
        return 0;
    if (age < 18)
        return 1;
    if (age < 25)
        return 18;
    if (age < 35)
        return 25;
    if (age < 45)
        return 35;
    if (age < 50)
        return 45;
    if (age < 56)
        return 50;
    return 56;
}

int occupationCode1m(const std::string& occupation) {
    if (!occupation.empty() && occupation.size() <= 2 &&
        occupation.find_first_not_of("0123456789") == std::string::npos)
        return std::stoi(occupation);
    for (const auto& oc : kOccupationCodes)
        if (occupation == oc.name)
            return oc.code;
    return 0;
}

Status writeDatMovies(const Dataset& d, const fs::path& dir, DatasetFormat format) {
    const ItemMetadata& meta = d.itemMetadata();
    OutFile out(dir / "movies.dat");
    for (int32_t i = 0; i < d.numItems(); ++i) {
        const size_t s = static_cast<size_t>(i);
        out << d.originalItemId(i) << "::" << toLatin1(s < meta.titles.size() ? meta.titles[s] : "")
            << "::" << joinedGenres(meta, s, format) << '\n';
    }
    return out.close();
}

Status write1m(const Dataset& d, const fs::path& dir) {
    if (Status s = requireWholeStars(d, "1m"); !s)
        return s;
    const auto whole = [](uint8_t h) { return std::to_string(h / 2); };
    if (Status s = writeRatings(d, dir / "ratings.dat", nullptr, "::", whole); !s)
        return s;
    if (Status s = writeDatMovies(d, dir, DatasetFormat::Ml1m); !s)
        return s;
    // users.dat is what tells 1M from 10M, so it is written even without user metadata.
    const UserMetadata& um = d.userMetadata();
    OutFile out(dir / "users.dat");
    for (int32_t u = 0; u < d.numUsers(); ++u) {
        const size_t s = static_cast<size_t>(u);
        const bool has = um.present && s < um.ages.size();
        out << d.originalUserId(u) << "::" << releaseGender(has ? um.genders[s] : '?')
            << "::" << static_cast<int64_t>(has ? ageCode1m(um.ages[s]) : 1)
            << "::" << static_cast<int64_t>(has ? occupationCode1m(um.occupations[s]) : 0)
            << "::" << (has ? toLatin1(um.zipCodes[s]) : "00000") << '\n';
    }
    return out.close();
}

Status write10m(const Dataset& d, const fs::path& dir) {
    // 10M prints whole ratings bare ("5") and half stars with one decimal ("3.5").
    const auto text = [](uint8_t h) {
        return h % 2 ? std::to_string(h / 2) + ".5" : std::to_string(h / 2);
    };
    if (Status s = writeRatings(d, dir / "ratings.dat", nullptr, "::", text); !s)
        return s;
    return writeDatMovies(d, dir, DatasetFormat::Ml10m);
}

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos)
        return s;
    std::string q = "\"";
    for (char c : s) {
        if (c == '"')
            q += "\"\"";
        else
            q.push_back(c);
    }
    q.push_back('"');
    return q;
}

Status writeCsv(const Dataset& d, const fs::path& dir) {
    const auto text = [](uint8_t h) { return std::to_string(h / 2) + (h % 2 ? ".5" : ".0"); };
    if (Status s =
            writeRatings(d, dir / "ratings.csv", "userId,movieId,rating,timestamp\n", ",", text);
        !s)
        return s;
    const ItemMetadata& meta = d.itemMetadata();
    OutFile out(dir / "movies.csv");
    out << "movieId,title,genres\n";
    for (int32_t i = 0; i < d.numItems(); ++i) {
        const size_t s = static_cast<size_t>(i);
        out << d.originalItemId(i) << ',' << csvField(s < meta.titles.size() ? meta.titles[s] : "")
            << ',' << csvField(joinedGenres(meta, s, DatasetFormat::MlCsv)) << '\n';
    }
    return out.close();
}

}  // namespace

Status writeMovieLens(const Dataset& dataset, DatasetFormat format, const std::string& outDir) {
    std::error_code ec;
    const fs::path dir(outDir);
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir))
        return makeError("cannot create folder: " + ec.message(), outDir);
    switch (format) {
        case DatasetFormat::Ml100k:
            return write100k(dataset, dir);
        case DatasetFormat::Ml1m:
            return write1m(dataset, dir);
        case DatasetFormat::Ml10m:
            return write10m(dataset, dir);
        case DatasetFormat::MlCsv:
            return writeCsv(dataset, dir);
        case DatasetFormat::Synthetic:
            break;
    }
    return makeError("cannot write format '" + formatName(format) +
                     "': choose 100k, 1m, 10m or csv");
}

}  // namespace recscope
