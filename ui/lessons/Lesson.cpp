#include "ui/lessons/Lesson.h"

#include <QDir>
#include <QFile>

#include <nlohmann/json.hpp>
#include <optional>

namespace recscope::ui {

namespace {

using nlohmann::json;

// 1-based line of byte `offset` in `text`.
int64_t lineAt(const QByteArray& text, int64_t offset) {
    offset = std::clamp<int64_t>(offset, 0, text.size());
    return 1 + std::count(text.begin(), text.begin() + offset, '\n');
}

// The line where "key" first appears (nlohmann keeps no positions for values); 0 if absent.
int64_t lineOfKey(const QByteArray& text, const std::string& key) {
    const int at = text.indexOf(QByteArray::fromStdString("\"" + key + "\""));
    return at < 0 ? 0 : lineAt(text, at);
}

class Parser {
public:
    Parser(const QByteArray& text, const QString& source) : m_text(text), m_source(source) {}

    Error error(const std::string& key, const std::string& message) const {
        return makeError(message, m_source.toStdString(), lineOfKey(m_text, key));
    }

    Result<QString> string(const json& object, const std::string& key, bool required) const {
        if (!object.contains(key)) {
            if (required)
                return error(key, "\"" + key + "\" is missing");
            return QString();
        }
        if (!object[key].is_string())
            return error(key, "\"" + key + "\" must be a string");
        return QString::fromStdString(object[key].get<std::string>());
    }

    const QByteArray& m_text;
    const QString& m_source;
};

std::optional<Lesson::Finish> parseFinish(const QString& name) {
    if (name.isEmpty() || name == QLatin1String("leaderboard"))
        return Lesson::Finish::Leaderboard;
    if (name == QLatin1String("train"))
        return Lesson::Finish::Train;
    if (name == QLatin1String("inspector"))
        return Lesson::Finish::Inspector;
    if (name == QLatin1String("taste"))
        return Lesson::Finish::Taste;
    return std::nullopt;
}

}  // namespace

Result<Lesson> parseLesson(const QByteArray& text, const QString& source) {
    json root;
    try {
        root = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        // "[json.exception.parse_error.101] parse error at line 3, column 5: ..." -> the tail.
        const size_t colon = what.find(": ");
        if (colon != std::string::npos)
            what = what.substr(colon + 2);
        return makeError("not valid JSON: " + what, source.toStdString(),
                         lineAt(text, int64_t(e.byte) - 1));
    } catch (const json::exception& e) {
        // Not a syntax error but a value the parser cannot hold (a number like 1e99999):
        // out_of_range, which carries no position.
        std::string what = e.what();
        const size_t bracket = what.find("] ");
        if (bracket != std::string::npos)
            what = what.substr(bracket + 2);
        return makeError(ErrorCode::BadInput, "not valid JSON: " + what, source.toStdString());
    }
    const Parser p(text, source);
    if (!root.is_object())
        return makeError("a lesson must be a JSON object", source.toStdString(), 1);

    Lesson lesson;
    lesson.source = source;
    auto title = p.string(root, "title", true);
    if (!title)
        return title.error();
    lesson.title = title.value();
    auto summary = p.string(root, "summary", false);
    if (!summary)
        return summary.error();
    lesson.summary = summary.value();
    auto body = p.string(root, "text", false);
    if (!body)
        return body.error();
    lesson.text = body.value();

    auto protocolName = p.string(root, "protocol", false);
    if (!protocolName)
        return protocolName.error();
    const std::optional<Protocol> protocol =
        parseProtocol(protocolName.value().isEmpty() ? std::string("temporal")
                                                     : protocolName.value().toStdString());
    if (!protocol)
        return p.error("protocol", "\"protocol\" must be \"temporal\", \"loo\" or \"ratio\"");
    SplitConfig split = defaultSplitConfig(*protocol);
    if (root.contains("threshold")) {
        if (!root["threshold"].is_number())
            return p.error("threshold", "\"threshold\" must be a number");
        split.threshold = root["threshold"].get<double>();
    }
    uint64_t seed = 42;
    if (root.contains("seed")) {
        if (!root["seed"].is_number_unsigned())
            return p.error("seed", "\"seed\" must be a non-negative integer");
        seed = root["seed"].get<uint64_t>();
    }

    if (root.contains("watch")) {
        if (!root["watch"].is_number_integer() || root["watch"].get<int64_t>() < 0 ||
            root["watch"].get<int64_t>() > 5)
            return p.error("watch", "\"watch\" must be a whole number from 0 to 5");
        lesson.watchUsers = int(root["watch"].get<int64_t>());
    }
    auto finish = p.string(root, "finish", false);
    if (!finish)
        return finish.error();
    auto finishValue = parseFinish(finish.value());
    if (!finishValue)
        return p.error("finish",
                       "\"finish\" must be \"leaderboard\", \"train\", \"inspector\" "
                       "or \"taste\"");
    lesson.finish = *finishValue;
    auto data = p.string(root, "data", false);
    if (!data)
        return data.error();
    if (!data.value().isEmpty() && data.value() != QLatin1String("demo"))
        return p.error("data", "\"data\" can only be \"demo\" (the built-in data)");
    lesson.needsDemoData = data.value() == QLatin1String("demo");
    auto user = p.string(root, "user", false);
    if (!user)
        return user.error();
    if (!user.value().isEmpty() && user.value() != QLatin1String("genre-shift"))
        return p.error("user", "\"user\" can only be \"genre-shift\" (the inspector's Shift pick)");
    if (!user.value().isEmpty() && lesson.finish != Lesson::Finish::Inspector)
        return p.error("user", "\"user\" needs \"finish\": \"inspector\"");
    lesson.genreShiftUser = !user.value().isEmpty();

    if (!root.contains("runs") || !root["runs"].is_array() || root["runs"].empty())
        return p.error("runs", "\"runs\" must be a non-empty array of {\"model\", \"params\"}");
    int index = 0;
    for (const json& run : root["runs"]) {
        ++index;
        const std::string where = "run " + std::to_string(index) + ": ";
        if (!run.is_object() || !run.contains("model") || !run["model"].is_string())
            return p.error("runs", where + "each run needs a \"model\" string");
        RunConfig config;
        config.model = run["model"].get<std::string>();
        config.split = split;
        config.seed = seed;
        if (run.contains("params")) {
            if (!run["params"].is_object())
                return p.error("params", where + "\"params\" must be an object of strings");
            for (const auto& [name, value] : run["params"].items()) {
                if (!value.is_string())
                    return p.error(name, where + "parameter \"" + name +
                                             "\" must be given as a string, e.g. \"15\"");
                config.params[name] = value.get<std::string>();
            }
        }
        const Status valid = validateRunConfig(config);
        if (!valid.ok())
            return p.error(config.model, where + valid.error().message);
        lesson.runs.push_back(std::move(config));
    }
    return lesson;
}

QVector<Lesson> builtInLessons() {
    QVector<Lesson> lessons;
    const QDir dir(QStringLiteral(":/lessons"));
    for (const QString& name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        Result<Lesson> lesson = parseLesson(file.readAll(), file.fileName());
        if (lesson)
            lessons.push_back(std::move(lesson).value());
    }
    return lessons;
}

}  // namespace recscope::ui
