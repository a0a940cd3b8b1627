#pragma once
// Declared hyper-parameters. Each model lists its ParamSpecs; the GUI builds its form from them
// and the CLI's --param key=value is checked against them.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/common/Status.h"

namespace recscope {

enum class ParamType { Int, Float, Bool, Choice };

struct ParamSpec {
    std::string name;  // "factors", "lr", "negatives"
    ParamType type = ParamType::Float;
    std::string defaultValue;  // as text: "64", "0.01", "true", "uniform"
    double min = 0.0;          // Int/Float: inclusive range
    double max = 0.0;
    std::vector<std::string> choices;  // Choice only
    std::string help;                  // one line, shown as a tooltip
};

// A finite number written in the C locale ("0.001", "1e-3"), whatever the process locale (the
// GUI may run under one whose decimal point is a comma); false for anything else.
bool parseNumberText(const std::string& text, double* out);

// Resolved values: every declared name has a value (default or override), checked for type and
// range. Immutable after resolve().
class ParamValues {
public:
    // Unknown names, wrong types and out-of-range values are errors naming the parameter.
    static Result<ParamValues> resolve(const std::vector<ParamSpec>& specs,
                                       const std::map<std::string, std::string>& overrides);

    int64_t getInt(const std::string& name) const;
    double getFloat(const std::string& name) const;
    bool getBool(const std::string& name) const;
    const std::string& getString(const std::string& name) const;  // Choice, or any as text
    const std::map<std::string, std::string>& values() const { return m_values; }

private:
    std::map<std::string, std::string> m_values;
};

}  // namespace recscope
