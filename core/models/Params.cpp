#include "core/models/Params.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <locale>
#include <sstream>
#include <stdexcept>

namespace recscope {
namespace {

std::string typeName(ParamType type) {
    switch (type) {
        case ParamType::Int:
            return "an integer";
        case ParamType::Float:
            return "a number";
        case ParamType::Bool:
            return "true or false";
        case ParamType::Choice:
            return "one of the listed choices";
    }
    return "a value";
}

std::string formatNumber(double v) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out << v;
    return out.str();
}

bool parseInt(const std::string& text, int64_t& out) {
    if (text.empty())
        return false;
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || end != text.c_str() + text.size())
        return false;
    out = v;
    return true;
}

// Locale-independent: the GUI may run under a locale whose decimal point is a comma.
bool parseFloat(const std::string& text, double& out) {
    if (text.empty() || std::isspace(static_cast<unsigned char>(text.front())))
        return false;
    std::istringstream in(text);
    in.imbue(std::locale::classic());
    double v = 0;
    in >> v;
    if (in.fail() || !in.eof() || !std::isfinite(v))
        return false;
    out = v;
    return true;
}

bool parseBool(const std::string& text, bool& out) {
    if (text == "true" || text == "1" || text == "yes" || text == "on") {
        out = true;
        return true;
    }
    if (text == "false" || text == "0" || text == "no" || text == "off") {
        out = false;
        return true;
    }
    return false;
}

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names)
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

// Checks one value against its spec; returns the canonical text or an error message.
std::string checkValue(const ParamSpec& spec, const std::string& text, std::string& canonical) {
    const std::string what = "parameter '" + spec.name + "'";
    switch (spec.type) {
        case ParamType::Int: {
            int64_t v = 0;
            if (!parseInt(text, v))
                return what + ": '" + text + "' is not " + typeName(spec.type);
            if (static_cast<double>(v) < spec.min || static_cast<double>(v) > spec.max)
                return what + ": " + text + " is out of range [" + formatNumber(spec.min) + ", " +
                       formatNumber(spec.max) + "]";
            canonical = std::to_string(v);
            return {};
        }
        case ParamType::Float: {
            double v = 0;
            if (!parseFloat(text, v))
                return what + ": '" + text + "' is not " + typeName(spec.type);
            if (v < spec.min || v > spec.max)
                return what + ": " + text + " is out of range [" + formatNumber(spec.min) + ", " +
                       formatNumber(spec.max) + "]";
            canonical = text;
            return {};
        }
        case ParamType::Bool: {
            bool v = false;
            if (!parseBool(text, v))
                return what + ": '" + text + "' is not " + typeName(spec.type);
            canonical = v ? "true" : "false";
            return {};
        }
        case ParamType::Choice:
            for (const auto& c : spec.choices) {
                if (c == text) {
                    canonical = text;
                    return {};
                }
            }
            return what + ": '" + text + "' is not one of: " + joined(spec.choices);
    }
    return what + ": unknown type";
}

}  // namespace

bool parseNumberText(const std::string& text, double* out) {
    return parseFloat(text, *out);
}

Result<ParamValues> ParamValues::resolve(const std::vector<ParamSpec>& specs,
                                         const std::map<std::string, std::string>& overrides) {
    std::vector<std::string> names;
    for (const auto& spec : specs)
        names.push_back(spec.name);
    for (const auto& [key, value] : overrides) {
        bool known = false;
        for (const auto& spec : specs)
            known = known || spec.name == key;
        if (!known)
            return makeError("unknown parameter '" + key + "' (valid: " +
                             (names.empty() ? std::string("none") : joined(names)) + ")");
    }
    ParamValues result;
    for (const auto& spec : specs) {
        const auto it = overrides.find(spec.name);
        const bool overridden = it != overrides.end();
        const std::string& text = overridden ? it->second : spec.defaultValue;
        std::string canonical;
        const std::string problem = checkValue(spec, text, canonical);
        if (!problem.empty())
            return makeError(overridden ? problem : "default of " + problem);
        result.m_values[spec.name] = canonical;
    }
    return result;
}

const std::string& ParamValues::getString(const std::string& name) const {
    const auto it = m_values.find(name);
    if (it == m_values.end())
        throw std::invalid_argument("ParamValues: no parameter named '" + name + "'");
    return it->second;
}

int64_t ParamValues::getInt(const std::string& name) const {
    return std::strtoll(getString(name).c_str(), nullptr, 10);
}

double ParamValues::getFloat(const std::string& name) const {
    double v = 0;
    parseFloat(getString(name), v);
    return v;
}

bool ParamValues::getBool(const std::string& name) const {
    return getString(name) == "true";
}

}  // namespace recscope
