#pragma once
// Command-line parsing for one recscope-cli command: options "--key value" and "--key=value",
// flags "--flag", positional arguments, and generated help. Declare everything, then parse();
// an undeclared option, a missing value or a bad number is a usage error (exit code 2).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/Status.h"

namespace recscope::cli {

class ArgParser {
public:
    // command: e.g. "info"; summary: one line for the help text.
    ArgParser(std::string command, std::string summary);

    // name without dashes ("n-test"); valueName for the help ("N"); defaultText only for help.
    void addOption(const std::string& name, const std::string& valueName, const std::string& help,
                   const std::string& defaultText = {});
    void addFlag(const std::string& name, const std::string& help);
    void addPositional(const std::string& name, const std::string& help, bool required = true);

    // Fails on unknown options, missing option values and missing required positionals.
    // "--help" / "-h" anywhere sets helpRequested() and skips the other checks.
    Status parse(const std::vector<std::string>& args);

    bool helpRequested() const { return m_help; }
    std::string helpText() const;

    // parse() for a command's main: prints the help on stdout (returns 0) or the usage error
    // with a hint on stderr (returns 2); std::nullopt when the command should go on.
    std::optional<int> parseOrExit(const std::vector<std::string>& args);
    // "recscope-cli <command>: <message>" and the --help hint on stderr; returns 2.
    int usageError(const std::string& message) const;

    bool flag(const std::string& name) const;
    bool has(const std::string& name) const;  // option given on the command line
    std::string value(const std::string& name, const std::string& fallback = {}) const;
    // Every value of an option given several times ("--grid a=1,2 --grid b=3"), in order.
    std::vector<std::string> values(const std::string& name) const;
    // Typed values: the fallback when absent, an error naming the option when malformed.
    Result<int64_t> intValue(const std::string& name, int64_t fallback) const;
    Result<uint64_t> uint64Value(const std::string& name, uint64_t fallback) const;
    Result<double> doubleValue(const std::string& name, double fallback) const;

    // Positionals in order of declaration; empty string when an optional one is absent.
    std::string positional(size_t index) const;
    size_t positionalCount() const { return m_positionalValues.size(); }

private:
    struct Option {
        std::string name, valueName, help, defaultText;
        bool isFlag = false;
    };
    struct Positional {
        std::string name, help;
        bool required = true;
    };
    const Option* find(const std::string& name) const;

    std::string m_command;
    std::string m_summary;
    std::vector<Option> m_options;
    std::vector<Positional> m_positionals;
    std::vector<std::pair<std::string, std::string>> m_values;  // last one wins
    std::vector<std::string> m_flags;
    std::vector<std::string> m_positionalValues;
    bool m_help = false;
};

}  // namespace recscope::cli
