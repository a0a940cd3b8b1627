#include "app/cli/ArgParser.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>

namespace recscope::cli {

ArgParser::ArgParser(std::string command, std::string summary)
    : m_command(std::move(command)), m_summary(std::move(summary)) {}

void ArgParser::addOption(const std::string& name, const std::string& valueName,
                          const std::string& help, const std::string& defaultText) {
    m_options.push_back(Option{name, valueName, help, defaultText, false});
}

void ArgParser::addFlag(const std::string& name, const std::string& help) {
    m_options.push_back(Option{name, {}, help, {}, true});
}

void ArgParser::addPositional(const std::string& name, const std::string& help, bool required) {
    m_positionals.push_back(Positional{name, help, required});
}

const ArgParser::Option* ArgParser::find(const std::string& name) const {
    for (const Option& o : m_options)
        if (o.name == name)
            return &o;
    return nullptr;
}

Status ArgParser::parse(const std::vector<std::string>& args) {
    m_values.clear();
    m_flags.clear();
    m_positionalValues.clear();
    m_help = std::any_of(args.begin(), args.end(),
                         [](const std::string& a) { return a == "--help" || a == "-h"; });
    if (m_help)
        return {};
    bool onlyPositionals = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (onlyPositionals || a.size() < 2 || a[0] != '-' ||
            (a[1] != '-' && !std::isalpha(static_cast<unsigned char>(a[1])))) {
            // "-" alone and negative numbers in positional places stay positionals.
            m_positionalValues.push_back(a);
            continue;
        }
        if (a == "--") {
            onlyPositionals = true;
            continue;
        }
        if (a[1] != '-')
            return makeError(m_command + ": unknown option '" + a + "' (options start with --)");
        std::string name = a.substr(2);
        std::optional<std::string> inlineValue;
        if (const size_t eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const Option* opt = find(name);
        if (!opt)
            return makeError(m_command + ": unknown option '--" + name + "'");
        if (opt->isFlag) {
            if (inlineValue)
                return makeError(m_command + ": option '--" + name + "' takes no value");
            m_flags.push_back(name);
            continue;
        }
        if (inlineValue) {
            m_values.emplace_back(name, *inlineValue);
        } else {
            if (i + 1 >= args.size())
                return makeError(m_command + ": option '--" + name + "' needs a value (" +
                                 opt->valueName + ")");
            m_values.emplace_back(name, args[++i]);
        }
    }
    if (m_positionalValues.size() > m_positionals.size())
        return makeError(m_command + ": unexpected argument '" +
                         m_positionalValues[m_positionals.size()] + "'");
    for (size_t p = m_positionalValues.size(); p < m_positionals.size(); ++p)
        if (m_positionals[p].required)
            return makeError(m_command + ": missing argument " + m_positionals[p].name);
    return {};
}

std::string ArgParser::helpText() const {
    std::string usage = "Usage: recscope-cli " + m_command;
    for (const Positional& p : m_positionals)
        usage += p.required ? " " + p.name : " [" + p.name + "]";
    if (!m_options.empty())
        usage += " [options]";
    std::string text = usage + "\n\n" + m_summary + "\n";
    if (!m_positionals.empty()) {
        text += "\nArguments:\n";
        for (const Positional& p : m_positionals)
            text += "  " + p.name + std::string(p.name.size() < 24 ? 24 - p.name.size() : 1, ' ') +
                    p.help + "\n";
    }
    text += "\nOptions:\n";
    std::vector<Option> all = m_options;
    all.push_back(Option{"help", {}, "Show this help and exit", {}, true});
    for (const Option& o : all) {
        std::string left = "--" + o.name + (o.isFlag ? "" : " " + o.valueName);
        std::string line =
            "  " + left + std::string(left.size() < 24 ? 24 - left.size() : 1, ' ') + o.help;
        if (!o.defaultText.empty())
            line += " (default: " + o.defaultText + ")";
        text += line + "\n";
    }
    return text;
}

std::optional<int> ArgParser::parseOrExit(const std::vector<std::string>& args) {
    if (Status s = parse(args); !s) {
        std::cerr << "recscope-cli " << s.error().message << "\n"
                  << "Try 'recscope-cli " << m_command << " --help'.\n";
        return 2;
    }
    if (m_help) {
        std::cout << helpText();
        return 0;
    }
    return std::nullopt;
}

int ArgParser::usageError(const std::string& message) const {
    std::cerr << "recscope-cli " << m_command << ": " << message << "\n"
              << "Try 'recscope-cli " << m_command << " --help'.\n";
    return 2;
}

bool ArgParser::flag(const std::string& name) const {
    return std::find(m_flags.begin(), m_flags.end(), name) != m_flags.end();
}

bool ArgParser::has(const std::string& name) const {
    return std::any_of(m_values.begin(), m_values.end(),
                       [&](const auto& kv) { return kv.first == name; });
}

std::string ArgParser::value(const std::string& name, const std::string& fallback) const {
    for (auto it = m_values.rbegin(); it != m_values.rend(); ++it)
        if (it->first == name)
            return it->second;
    return fallback;
}

std::vector<std::string> ArgParser::values(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [key, v] : m_values)
        if (key == name)
            out.push_back(v);
    return out;
}

Result<int64_t> ArgParser::intValue(const std::string& name, int64_t fallback) const {
    if (!has(name))
        return fallback;
    const std::string text = value(name);
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || errno != 0 || *end != '\0')
        return makeError(m_command + ": option '--" + name + "' expects an integer, got '" + text +
                         "'");
    return static_cast<int64_t>(v);
}

Result<uint64_t> ArgParser::uint64Value(const std::string& name, uint64_t fallback) const {
    if (!has(name))
        return fallback;
    const std::string text = value(name);
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || text[0] == '-' || errno != 0 || *end != '\0')
        return makeError(m_command + ": option '--" + name +
                         "' expects a non-negative integer, got '" + text + "'");
    return static_cast<uint64_t>(v);
}

Result<double> ArgParser::doubleValue(const std::string& name, double fallback) const {
    if (!has(name))
        return fallback;
    const std::string text = value(name);
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || errno != 0 || *end != '\0' || !std::isfinite(v))
        return makeError(m_command + ": option '--" + name + "' expects a number, got '" + text +
                         "'");
    return v;
}

std::string ArgParser::positional(size_t index) const {
    return index < m_positionalValues.size() ? m_positionalValues[index] : std::string();
}

}  // namespace recscope::cli
