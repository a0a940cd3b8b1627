#include "core/data/TextScan.h"

#include <algorithm>
#include <cstring>

namespace recscope::text {

int64_t lineNumberAt(const char* data, size_t pos) {
    int64_t n = 1;
    const char* p = data;
    const char* end = data + pos;
    while (p < end) {
        const void* hit = std::memchr(p, '\n', static_cast<size_t>(end - p));
        if (!hit)
            break;
        ++n;
        p = static_cast<const char*>(hit) + 1;
    }
    return n;
}

bool LineCursor::next(std::string_view& line) {
    if (m_pos >= m_size)
        return false;
    const char* begin = m_data + m_pos;
    const void* hit = std::memchr(begin, '\n', m_size - m_pos);
    size_t len = hit ? static_cast<size_t>(static_cast<const char*>(hit) - begin) : m_size - m_pos;
    m_pos += len + (hit ? 1 : 0);
    if (len > 0 && begin[len - 1] == '\r')
        --len;
    line = std::string_view(begin, len);
    ++m_line;
    return true;
}

void split(std::string_view line, std::string_view sep, std::vector<std::string_view>& out) {
    out.clear();
    size_t start = 0;
    while (true) {
        const size_t hit = line.find(sep, start);
        if (hit == std::string_view::npos) {
            out.push_back(line.substr(start));
            return;
        }
        out.push_back(line.substr(start, hit - start));
        start = hit + sep.size();
    }
}

bool splitCsv(std::string_view line, std::vector<std::string>& out, std::string& err) {
    out.clear();
    size_t i = 0;
    while (true) {
        std::string field;
        if (i < line.size() && line[i] == '"') {
            ++i;
            bool closed = false;
            while (i < line.size()) {
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        field.push_back('"');
                        i += 2;
                        continue;
                    }
                    closed = true;
                    ++i;
                    break;
                }
                field.push_back(line[i++]);
            }
            if (!closed) {
                err = "unterminated quoted field: expected a closing '\"'";
                return false;
            }
            if (i < line.size() && line[i] != ',') {
                err = "unexpected text after a closing quote: expected ','";
                return false;
            }
        } else {
            const size_t hit = line.find(',', i);
            const size_t end = hit == std::string_view::npos ? line.size() : hit;
            field.assign(line.substr(i, end - i));
            i = end;
        }
        out.push_back(std::move(field));
        if (i >= line.size())
            return true;
        ++i;  // the comma
        if (i == line.size()) {
            out.emplace_back();
            return true;
        }
    }
}

std::string quoteField(std::string_view s) {
    // Messages end up in UTF-8 widgets and terminals: bytes of binary junk or of a broken
    // encoding are shown as \xNN instead of being passed through.
    const std::string_view shown = s.substr(0, 20);
    const bool utf8 = isValidUtf8(shown.data(), shown.size());
    std::string out = "'";
    for (char c : shown) {
        const auto b = static_cast<unsigned char>(c);
        if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (b < 0x20 || b == 0x7F || (b >= 0x80 && !utf8)) {
            static const char kHex[] = "0123456789ABCDEF";
            out += "\\x";
            out.push_back(kHex[b >> 4]);
            out.push_back(kHex[b & 15]);
        } else {
            out.push_back(c);
        }
    }
    if (s.size() > shown.size())
        out += "...";
    return out + "'";
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool parseInt(std::string_view field, const char* column, int64_t& value, std::string& err) {
    std::string_view f = trim(field);
    bool neg = false;
    if (!f.empty() && (f[0] == '-' || f[0] == '+')) {
        neg = f[0] == '-';
        f.remove_prefix(1);
    }
    if (f.empty()) {
        err = std::string("empty ") + column + ": expected an integer";
        return false;
    }
    if (f.size() > 18) {
        err = std::string(column) + " " + quoteField(field) + " out of range: too many digits";
        return false;
    }
    int64_t v = 0;
    for (char c : f) {
        if (c < '0' || c > '9') {
            err = std::string("non-numeric ") + column + " " + quoteField(field) +
                  ": expected an integer";
            return false;
        }
        v = v * 10 + (c - '0');
    }
    value = neg ? -v : v;
    return true;
}

bool parseId(std::string_view field, const char* column, int64_t& value, std::string& err) {
    if (!parseInt(field, column, value, err))
        return false;
    if (value < 0) {
        err = std::string("negative ") + column + " " + quoteField(field) +
              ": expected an id in 0..2147483647";
        return false;
    }
    if (value > 2147483647) {
        err = std::string(column) + " " + quoteField(field) +
              " out of range: expected an id in 0..2147483647";
        return false;
    }
    return true;
}

std::string scaleText(const RatingScale& scale) {
    auto num = [](float v) {
        std::string s = std::to_string(v);
        s.erase(s.find_last_not_of('0') + 1);
        if (!s.empty() && s.back() == '.')
            s.pop_back();
        return s;
    };
    return num(scale.min) + ".." + num(scale.max) + " in steps of " + num(scale.step);
}

bool parseRating(std::string_view field, const RatingScale& scale, uint8_t& halfStars,
                 std::string& err) {
    const std::string_view f = trim(field);
    size_t i = 0;
    int64_t whole = 0;
    size_t wholeDigits = 0;
    while (i < f.size() && f[i] >= '0' && f[i] <= '9' && wholeDigits < 6) {
        whole = whole * 10 + (f[i] - '0');
        ++i;
        ++wholeDigits;
    }
    int frac = 0;  // tenths; further digits must be zero
    bool ok = wholeDigits > 0 || (i < f.size() && f[i] == '.');
    bool nonHalf = false;
    if (ok && i < f.size() && f[i] == '.') {
        ++i;
        size_t fd = 0;
        while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
            if (fd == 0)
                frac = f[i] - '0';
            else if (f[i] != '0')
                nonHalf = true;
            ++i;
            ++fd;
        }
        ok = fd > 0 || wholeDigits > 0;
    }
    if (!ok || i != f.size() || f.empty()) {
        err = "non-numeric rating " + quoteField(field) + ": expected a number in " +
              scaleText(scale);
        return false;
    }
    if (nonHalf || (frac != 0 && frac != 5)) {
        err = "rating " + quoteField(field) + " out of range: expected " + scaleText(scale);
        return false;
    }
    const int64_t half = whole * 2 + (frac == 5 ? 1 : 0);
    const int64_t lo = static_cast<int64_t>(scale.min * 2.0f + 0.5f);
    const int64_t hi = static_cast<int64_t>(scale.max * 2.0f + 0.5f);
    const int64_t step = std::max<int64_t>(1, static_cast<int64_t>(scale.step * 2.0f + 0.5f));
    if (half < lo || half > hi || (half - lo) % step != 0) {
        err = "rating " + quoteField(field) + " out of range: expected " + scaleText(scale);
        return false;
    }
    halfStars = static_cast<uint8_t>(half);
    return true;
}

bool isValidUtf8(const char* data, size_t size) {
    const auto* p = reinterpret_cast<const unsigned char*>(data);
    size_t i = 0;
    while (i < size) {
        // Fast skip of ASCII runs, 8 bytes at a time.
        while (i + 8 <= size) {
            uint64_t w;
            std::memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= size)
            break;
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t n = 0;
        if (c >= 0xC2 && c <= 0xDF)
            n = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 2;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 3;
        else
            return false;
        if (i + n >= size)
            return false;
        for (size_t k = 1; k <= n; ++k)
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
        i += n + 1;
    }
    return true;
}

std::string latin1ToUtf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out.push_back(ch);
        } else {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

size_t bomLength(const char* data, size_t size) {
    return size >= 3 && static_cast<unsigned char>(data[0]) == 0xEF &&
                   static_cast<unsigned char>(data[1]) == 0xBB &&
                   static_cast<unsigned char>(data[2]) == 0xBF
               ? 3
               : 0;
}

bool assignGenres(const std::vector<std::string>& lists, const std::string& ignore,
                  std::vector<std::string>& names, std::vector<uint32_t>& masks, std::string& err) {
    std::vector<std::string_view> parts;
    names.clear();
    for (const auto& l : lists) {
        split(l, "|", parts);
        for (auto g : parts) {
            g = trim(g);
            if (!g.empty() && g != ignore)
                names.emplace_back(g);
        }
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (names.size() > 32) {
        err = "too many distinct genres (" + std::to_string(names.size()) + "): at most 32";
        return false;
    }
    masks.assign(lists.size(), 0);
    for (size_t i = 0; i < lists.size(); ++i) {
        split(lists[i], "|", parts);
        for (auto g : parts) {
            g = trim(g);
            auto it = std::lower_bound(names.begin(), names.end(), g);
            if (it != names.end() && *it == g)
                masks[i] |= uint32_t(1) << (it - names.begin());
        }
    }
    return true;
}

}  // namespace recscope::text
