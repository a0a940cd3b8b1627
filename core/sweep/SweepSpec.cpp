#include "core/sweep/SweepSpec.h"
#include "core/eval/MetricCatalogue.h"

#include <algorithm>
#include <cmath>
#include <locale>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "core/models/Params.h"
#include "core/models/Recommender.h"

namespace recscope {

namespace {

constexpr size_t kMaxTrials = 10000;

// Locale-independent (the GUI runs under the user's locale), as parseNumberText reads it.
std::string numberText(double v) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out.precision(6);
    out << v;
    return out.str();
}

std::vector<std::string> splitOn(const std::string& text, char sep) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, sep))
        parts.push_back(part);
    if (!text.empty() && text.back() == sep)
        parts.emplace_back();
    return parts;
}

// Uniform in [0, 1) from the top 53 bits: std::mt19937_64's output is fixed by the standard,
// the library's distributions are not, so draws are the same with every compiler.
double unitDraw(std::mt19937_64& rng) {
    return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

size_t indexDraw(std::mt19937_64& rng, size_t n) {
    return std::min(n - 1, static_cast<size_t>(unitDraw(rng) * static_cast<double>(n)));
}

// The points of a grid dimension as numbers or text, before rounding for the parameter's type.
std::vector<double> rangePoints(const SweepDimension& d) {
    std::vector<double> points;
    const int n = std::max(1, d.count);
    for (int i = 0; i < n; ++i) {
        const double t = n == 1 ? 0.0 : static_cast<double>(i) / (n - 1);
        if (d.kind == SweepDimension::Kind::Log)
            points.push_back(
                i == n - 1 && n > 1
                    ? d.high
                    : std::exp(std::log(d.low) + t * (std::log(d.high) - std::log(d.low))));
        else
            points.push_back(i == n - 1 && n > 1 ? d.high : d.low + t * (d.high - d.low));
    }
    return points;
}

std::string valueText(double v, const ParamSpec& spec) {
    if (spec.type == ParamType::Int)
        return std::to_string(std::llround(v));
    return numberText(v);
}

const ParamSpec* findSpec(const std::vector<ParamSpec>& specs, const std::string& name) {
    for (const ParamSpec& s : specs)
        if (s.name == name)
            return &s;
    return nullptr;
}

// A dimension's candidate values as parameter text (grid kinds only), duplicates dropped.
Result<std::vector<std::string>> gridValues(const SweepDimension& d, const ParamSpec& spec) {
    std::vector<std::string> values;
    if (d.kind == SweepDimension::Kind::List) {
        values = d.values;
    } else {
        for (double v : rangePoints(d))
            values.push_back(valueText(v, spec));
    }
    std::vector<std::string> unique;
    for (const std::string& v : values)
        if (std::find(unique.begin(), unique.end(), v) == unique.end())
            unique.push_back(v);
    if (unique.empty())
        return makeError(d.param + ": no values to try");
    return unique;
}

Status checkDimension(const SweepDimension& d, const ParamSpec& spec, const std::string& model) {
    const std::string where = "--" + sweepKindName(d.kind) + " " + d.param + ": ";
    const bool numeric = spec.type == ParamType::Int || spec.type == ParamType::Float;
    if (d.kind != SweepDimension::Kind::List && !numeric)
        return makeError(where + "parameter '" + d.param + "' of " + model +
                         " is not a number; give its values as a list (--grid)");
    if (d.kind == SweepDimension::Kind::List)
        return {};
    if (d.kind == SweepDimension::Kind::Linear || d.kind == SweepDimension::Kind::Log)
        if (d.count < 1 || d.count > 1000)
            return makeError(where + "the number of points must be between 1 and 1000");
    if (!(d.low <= d.high))
        return makeError(where + "LOW must not exceed HIGH");
    const bool logScale =
        d.kind == SweepDimension::Kind::Log || d.kind == SweepDimension::Kind::LogUniform;
    if (logScale && d.low <= 0.0)
        return makeError(where + "a log scale needs LOW > 0");
    if (d.low < spec.min || d.high > spec.max)
        return makeError(where + "the range " + numberText(d.low) + ".." + numberText(d.high) +
                         " leaves the parameter's range " + numberText(spec.min) + ".." +
                         numberText(spec.max));
    return {};
}

Status checkMetric(const SweepSpec& spec) {
    const std::string& m = spec.metric;
    const MetricFamily* family = findMetricFamily(m.substr(0, m.find('@')));
    if (family && family->alone && m == family->key)
        return {};
    const size_t at = m.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == m.size())
        return makeError("metric: expected e.g. ndcg@10, recall@20 or rmse, got '" + m + "'");
    double k = 0;
    if (!parseNumberText(m.substr(at + 1), &k) || k != std::floor(k))
        return makeError("metric: the cut-off of '" + m + "' is not an integer");
    if (!family || !family->atK) {
        std::string known;
        for (const MetricFamily& f : metricFamilies())
            if (f.atK)
                known += (known.empty() ? "" : ", ") + f.key;
        return makeError("metric: unknown metric '" + m.substr(0, at) +
                         "' (with a cut-off: " + known + ")");
    }
    if (std::find(spec.base.ks.begin(), spec.base.ks.end(), static_cast<int>(k)) ==
        spec.base.ks.end())
        return makeError("metric: " + m + " needs K = " + m.substr(at + 1) +
                         " among the cut-offs evaluated");
    return {};
}

Status checkValidationPart(const SplitConfig& s) {
    if (s.protocol == Protocol::Strong)
        return makeError(
            "split: a sweep chooses on the validation part, and the strong protocol has none "
            "(its held-out users are the test); sweep on temporal, loo or ratio");
    const bool none = (s.protocol == Protocol::Ratio && s.valFraction <= 0.0) ||
                      (s.protocol != Protocol::Ratio && s.nVal <= 0);
    if (none)
        return makeError(
            "split: a sweep chooses on the validation part, and this split has none (temporal/"
            "loo: n-val >= 1; ratio: val-fraction > 0)");
    return {};
}

}  // namespace

std::string sweepKindName(SweepDimension::Kind kind) {
    switch (kind) {
        case SweepDimension::Kind::List:
            return "grid";
        case SweepDimension::Kind::Linear:
            return "linear";
        case SweepDimension::Kind::Log:
            return "log";
        case SweepDimension::Kind::Uniform:
            return "uniform";
        case SweepDimension::Kind::LogUniform:
            return "log-uniform";
    }
    return "grid";
}

bool parseSweepKind(const std::string& name, SweepDimension::Kind* kind) {
    for (auto k :
         {SweepDimension::Kind::List, SweepDimension::Kind::Linear, SweepDimension::Kind::Log,
          SweepDimension::Kind::Uniform, SweepDimension::Kind::LogUniform})
        if (sweepKindName(k) == name) {
            *kind = k;
            return true;
        }
    return false;
}

Result<SweepDimension> parseSweepDimension(SweepDimension::Kind kind, const std::string& param,
                                           const std::string& text) {
    SweepDimension d;
    d.param = param;
    d.kind = kind;
    const std::string where = "--" + sweepKindName(kind) + " " + param + ": ";
    if (param.empty())
        return makeError("--" + sweepKindName(kind) + ": expected NAME=VALUES");
    if (kind == SweepDimension::Kind::List) {
        for (const std::string& v : splitOn(text, ','))
            if (v.empty())
                return makeError(where + "expected values separated by commas, got '" + text + "'");
            else
                d.values.push_back(v);
        if (d.values.empty())
            return makeError(where + "expected values separated by commas");
        return d;
    }
    const std::vector<std::string> parts = splitOn(text, ':');
    const bool counted = kind == SweepDimension::Kind::Linear || kind == SweepDimension::Kind::Log;
    const size_t expected = counted ? 3 : 2;
    const std::string shape = counted ? "LOW:HIGH:COUNT" : "LOW:HIGH";
    double count = 0;
    if (parts.size() != expected || !parseNumberText(parts[0], &d.low) ||
        !parseNumberText(parts[1], &d.high) || (counted && !parseNumberText(parts[2], &count)))
        return makeError(where + "expected " + shape + ", got '" + text + "'");
    if (counted) {
        if (count != std::floor(count) || count < 1 || count > 1000)
            return makeError(where + "COUNT must be an integer between 1 and 1000, got '" +
                             parts[2] + "'");
        d.count = static_cast<int>(count);
    }
    return d;
}

std::string sweepDimensionText(const SweepDimension& d) {
    if (d.kind == SweepDimension::Kind::List) {
        std::string s;
        for (const std::string& v : d.values)
            s += (s.empty() ? "" : ",") + v;
        return s;
    }
    std::string s = numberText(d.low) + ":" + numberText(d.high);
    if (!d.drawn())
        s += ":" + std::to_string(d.count);
    return s;
}

bool SweepSpec::hasDraws() const {
    return std::any_of(dimensions.begin(), dimensions.end(),
                       [](const SweepDimension& d) { return d.drawn(); });
}

Result<std::vector<SweepTrial>> expandSweep(const SweepSpec& spec) {
    const std::unique_ptr<Recommender> model = createModel(spec.base.model);
    if (!model)
        return makeError("model: unknown model '" + spec.base.model + "'");
    if (spec.dimensions.empty())
        return makeError("a sweep needs at least one parameter to vary");
    if (Status s = checkValidationPart(spec.base.split); !s)
        return s.error();
    if (Status s = checkMetric(spec); !s)
        return s.error();
    if (spec.budget < 0 || spec.budget > static_cast<int>(kMaxTrials))
        return makeError("budget: must be between 0 and " + std::to_string(kMaxTrials));
    if (spec.hasDraws() && spec.budget == 0)
        return makeError("budget: a sweep with drawn values needs a number of runs (--budget N)");

    const std::vector<ParamSpec> specs = model->paramSpecs();
    std::vector<const ParamSpec*> paramOf;
    std::vector<std::vector<std::string>> grids;  // per dimension; empty for draws
    std::set<std::string> seen;
    for (const SweepDimension& d : spec.dimensions) {
        const ParamSpec* p = findSpec(specs, d.param);
        if (!p) {
            std::string names;
            for (const ParamSpec& s : specs)
                names += (names.empty() ? "" : ", ") + s.name;
            return makeError("unknown parameter '" + d.param + "' for model " + spec.base.model +
                             " (valid: " + names + ")");
        }
        if (!seen.insert(d.param).second)
            return makeError("parameter '" + d.param + "' is swept twice");
        if (spec.base.params.count(d.param))
            return makeError("parameter '" + d.param + "' is both fixed (--param) and swept");
        if (Status s = checkDimension(d, *p, spec.base.model); !s)
            return s.error();
        paramOf.push_back(p);
        if (d.drawn()) {
            grids.emplace_back();
            continue;
        }
        Result<std::vector<std::string>> values = gridValues(d, *p);
        if (!values)
            return values.error();
        grids.push_back(std::move(values).value());
    }

    std::vector<SweepTrial> trials;
    std::mt19937_64 rng(spec.drawSeed);
    if (!spec.hasDraws()) {
        size_t total = 1;
        for (const auto& g : grids) {
            if (total > kMaxTrials / g.size())
                return makeError("the grid has more than " + std::to_string(kMaxTrials) +
                                 " points; narrow it or draw a budget at random");
            total *= g.size();
        }
        std::vector<size_t> chosen(total);
        for (size_t i = 0; i < total; ++i)
            chosen[i] = i;
        if (spec.budget > 0 && static_cast<size_t>(spec.budget) < total) {
            // Seeded partial Fisher-Yates, then back to grid order.
            for (size_t i = 0; i < static_cast<size_t>(spec.budget); ++i)
                std::swap(chosen[i], chosen[i + indexDraw(rng, total - i)]);
            chosen.resize(static_cast<size_t>(spec.budget));
            std::sort(chosen.begin(), chosen.end());
        }
        for (size_t point : chosen) {
            SweepTrial t;
            t.index = static_cast<int>(trials.size());
            // Mixed radix, last dimension fastest.
            for (size_t d = grids.size(); d-- > 0;) {
                t.params[spec.dimensions[d].param] = grids[d][point % grids[d].size()];
                point /= grids[d].size();
            }
            trials.push_back(std::move(t));
        }
    } else {
        for (int i = 0; i < spec.budget; ++i) {
            SweepTrial t;
            t.index = i;
            for (size_t d = 0; d < spec.dimensions.size(); ++d) {
                const SweepDimension& dim = spec.dimensions[d];
                if (!dim.drawn()) {
                    t.params[dim.param] = grids[d][indexDraw(rng, grids[d].size())];
                    continue;
                }
                const double u = unitDraw(rng);
                const double v = dim.kind == SweepDimension::Kind::Uniform
                                     ? dim.low + u * (dim.high - dim.low)
                                     : std::exp(std::log(dim.low) +
                                                u * (std::log(dim.high) - std::log(dim.low)));
                t.params[dim.param] = valueText(std::clamp(v, dim.low, dim.high), *paramOf[d]);
            }
            trials.push_back(std::move(t));
        }
    }
    for (const SweepTrial& t : trials)
        if (Status s = validateRunConfig(trialRunConfig(spec, t)); !s)
            return makeError("trial " + std::to_string(t.index + 1) + " (" +
                             sweepParamsText(t.params) + "): " + s.error().message);
    return trials;
}

RunConfig trialRunConfig(const SweepSpec& spec, const SweepTrial& trial) {
    RunConfig c = spec.base;
    for (const auto& [k, v] : trial.params)
        c.params[k] = v;
    c.evaluateOn = EvalPart::Validation;
    c.fitOn = "train";
    c.keepPerUser = true;
    return c;
}

std::string sweepParamsText(const std::map<std::string, std::string>& params) {
    std::string s;
    for (const auto& [k, v] : params)
        s += (s.empty() ? "" : ", ") + k + "=" + v;
    return s;
}

nlohmann::json sweepSpecToJson(const SweepSpec& spec) {
    nlohmann::json dims = nlohmann::json::array();
    for (const SweepDimension& d : spec.dimensions) {
        nlohmann::json j = {{"param", d.param}, {"kind", sweepKindName(d.kind)}};
        if (d.kind == SweepDimension::Kind::List) {
            j["values"] = d.values;
        } else {
            j["low"] = d.low;
            j["high"] = d.high;
            if (!d.drawn())
                j["count"] = d.count;
        }
        dims.push_back(std::move(j));
    }
    RunConfig base = spec.base;
    base.evaluateOn = EvalPart::Test;  // not part of the definition (trials set it)
    return {{"base", runConfigToJson(base)},
            {"dimensions", dims},
            {"budget", spec.budget},
            {"draw_seed", spec.drawSeed},
            {"metric", spec.metric}};
}

Result<SweepSpec> sweepSpecFromJson(const nlohmann::json& json) {
    const auto bad = [](const std::string& what) { return makeError("sweep definition: " + what); };
    if (!json.is_object())
        return bad("not a JSON object");
    SweepSpec spec;
    const auto base = json.find("base");
    if (base == json.end())
        return bad("missing field 'base'");
    Result<RunConfig> config = runConfigFromJson(*base);
    if (!config)
        return bad(config.error().message);
    spec.base = std::move(config).value();
    const auto budget = json.find("budget");
    const auto seed = json.find("draw_seed");
    const auto metric = json.find("metric");
    const auto dims = json.find("dimensions");
    if (budget == json.end() || !budget->is_number_integer())
        return bad("field 'budget' must be an integer");
    if (seed == json.end() || !seed->is_number_unsigned())
        return bad("field 'draw_seed' must be a non-negative integer");
    if (metric == json.end() || !metric->is_string())
        return bad("field 'metric' must be a string");
    if (dims == json.end() || !dims->is_array())
        return bad("field 'dimensions' must be an array");
    spec.budget = budget->get<int>();
    spec.drawSeed = seed->get<uint64_t>();
    spec.metric = metric->get<std::string>();
    for (const nlohmann::json& j : *dims) {
        SweepDimension d;
        if (!j.is_object() || !j.contains("param") || !j["param"].is_string() ||
            !j.contains("kind") || !j["kind"].is_string() ||
            !parseSweepKind(j["kind"].get<std::string>(), &d.kind))
            return bad("each dimension needs a 'param' and a known 'kind'");
        d.param = j["param"].get<std::string>();
        if (d.kind == SweepDimension::Kind::List) {
            if (!j.contains("values") || !j["values"].is_array())
                return bad("dimension '" + d.param + "' needs 'values'");
            for (const nlohmann::json& v : j["values"]) {
                if (!v.is_string())
                    return bad("dimension '" + d.param + "': values must be strings");
                d.values.push_back(v.get<std::string>());
            }
        } else {
            if (!j.contains("low") || !j["low"].is_number() || !j.contains("high") ||
                !j["high"].is_number())
                return bad("dimension '" + d.param + "' needs numbers 'low' and 'high'");
            d.low = j["low"].get<double>();
            d.high = j["high"].get<double>();
            if (!d.drawn()) {
                if (!j.contains("count") || !j["count"].is_number_integer())
                    return bad("dimension '" + d.param + "' needs an integer 'count'");
                d.count = j["count"].get<int>();
            }
        }
        spec.dimensions.push_back(std::move(d));
    }
    return spec;
}

}  // namespace recscope
