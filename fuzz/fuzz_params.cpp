// The parameter parser behind --param and the GUI form: "key=value" lines against a fixed set
// of specs. Whatever it accepts must be a value of the declared type inside the declared range.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/models/Params.h"

using namespace recscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::vector<ParamSpec> specs = {
        {"factors", ParamType::Int, "64", 1, 1024, {}, "factors"},
        {"lr", ParamType::Float, "0.01", 1e-6, 1.0, {}, "learning rate"},
        {"bias", ParamType::Bool, "true", 0, 0, {}, "biases"},
        {"sampler", ParamType::Choice, "uniform", 0, 0, {"uniform", "popularity"}, "negatives"},
    };
    std::map<std::string, std::string> overrides;
    const std::string text(reinterpret_cast<const char*>(data), size);
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        const std::string line = text.substr(start, end - start);
        const size_t eq = line.find('=');
        if (eq != std::string::npos)
            overrides[line.substr(0, eq)] = line.substr(eq + 1);
        start = end + 1;
    }
    const Result<ParamValues> values = ParamValues::resolve(specs, overrides);
    if (!values) {
        if (values.error().message.empty())
            __builtin_trap();
        return 0;
    }
    const int64_t factors = values->getInt("factors");
    const double lr = values->getFloat("lr");
    const std::string& sampler = values->getString("sampler");
    if (factors < 1 || factors > 1024 || !std::isfinite(lr) || lr < 1e-6 || lr > 1.0 ||
        (sampler != "uniform" && sampler != "popularity"))
        __builtin_trap();
    (void)values->getBool("bias");
    return 0;
}
