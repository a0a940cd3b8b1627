// checkTorchArchive / checkPickle: hand-made pickles (protocol 2, as LibTorch writes them) walk
// through; a memo index that skips ahead (fuzz_modelfile's first finding: LibTorch reserved 28 GB
// for one), a fetch of an unwritten slot, a length past the end, an unknown opcode, a missing
// STOP and a class name that is no dotted name are refused; zips with unsafe names, entries that
// inflate too far, no readable version, or TorchScript sources other than plain module
// declarations are refused before LibTorch sees them.
#include <zip.h>
#include <QtTest>

#include <QTemporaryDir>
#include <string>

#include "core/models/TorchArchiveCheck.h"

using namespace recscope;

namespace {

std::string bytes(std::initializer_list<int> b) {
    std::string s;
    for (int c : b)
        s.push_back(char(c));
    return s;
}

// {"a": 1} as pickle protocol 2: PROTO 2, EMPTY_DICT, BINPUT 0, BINUNICODE "a", BINPUT 1,
// BININT1 1, SETITEM, STOP.
std::string goodPickle() {
    return bytes({0x80, 2, '}', 'q', 0, 'X', 1, 0, 0, 0, 'a', 'q', 1, 'K', 1, 's', '.'});
}

bool writeZip(const std::string& path,
              const std::vector<std::pair<std::string, std::string>>& entries) {
    int err = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!z)
        return false;
    for (const auto& [name, content] : entries) {
        zip_source_t* src = zip_source_buffer(z, content.data(), content.size(), 0);
        if (zip_file_add(z, name.c_str(), src, ZIP_FL_ENC_UTF_8) < 0) {
            zip_source_free(src);
            zip_discard(z);
            return false;
        }
    }
    return zip_close(z) == 0;
}

}  // namespace

class TestTorchArchiveCheck : public QObject {
    Q_OBJECT

private slots:
    void goodPickleWalksThrough() {
        const Status s = checkPickle(goodPickle());
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
        // A GET of a written slot, and a text GLOBAL (two lines) are fine too.
        std::string more = goodPickle();
        more.pop_back();  // STOP
        more += bytes({'h', 1, '0', 'c'}) + "torch\nTensor\n" + bytes({'0', '.'});
        const Status t = checkPickle(more);
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message.c_str());
    }

    void badPicklesAreRefused_data() {
        QTest::addColumn<QByteArray>("pickle");
        QTest::addColumn<QString>("why");
        const std::string good = goodPickle();
        // LONG_BINPUT 885,000,000 where slot 1 comes next.
        std::string huge = good;
        huge.replace(11, 2, bytes({'r', 0x80, 0x3a, 0xc0, 0x34}));
        QTest::newRow("memo index skips ahead") << QByteArray::fromStdString(huge) << "skips ahead";
        std::string get = good;
        get.insert(get.size() - 1, bytes({'h', 7, '0'}));
        QTest::newRow("unwritten slot") << QByteArray::fromStdString(get) << "never written";
        std::string longString = good;
        longString[6] = char(0xff);  // BINUNICODE length 255 in a 17-byte pickle
        QTest::newRow("length past the end")
            << QByteArray::fromStdString(longString) << "runs past the end";
        std::string unknown = good;
        unknown[2] = char(0xff);
        QTest::newRow("unknown opcode") << QByteArray::fromStdString(unknown) << "unknown opcode";
        QTest::newRow("no stop") << QByteArray::fromStdString(good.substr(0, good.size() - 1))
                                 << "without STOP";
        QTest::newRow("text without end of line")
            << QByteArray::fromStdString(bytes({0x80, 2, 'c'}) + "torch") << "end of line";
        QTest::newRow("class name that is no dotted name")
            << QByteArray::fromStdString(bytes({0x80, 2, 'c'}) + "torch\nFinal[x]\n" + bytes({'.'}))
            << "not a dotted name";
        QTest::newRow("stack global")
            << QByteArray::fromStdString(bytes({0x80, 2, 0x93, '.'})) << "unknown opcode";
        QTest::newRow("cut fixed argument")
            << QByteArray::fromStdString(bytes({0x80, 2, 'J', 1, 2})) << "past the end";
    }

    void badPicklesAreRefused() {
        QFETCH(QByteArray, pickle);
        QFETCH(QString, why);
        const Status s = checkPickle(pickle.toStdString());
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.find(why.toStdString()) != std::string::npos,
                 s.error().message.c_str());
        QVERIFY(s.error().message.find("pickle byte ") == 0);
    }

    void archives() {
        QTemporaryDir dir;
        const std::string good = dir.filePath("good.pt").toStdString();
        QVERIFY(writeZip(good, {{"archive/data.pkl", goodPickle()},
                                {"archive/version", "3\n"},
                                {"archive/data/0", std::string(4096, '\0')}}));
        const Status ok = checkTorchArchive(good);
        QVERIFY2(ok.ok(), ok.ok() ? "" : ok.error().toString().c_str());

        std::string huge = goodPickle();
        huge.replace(11, 2, bytes({'r', 0x80, 0x3a, 0xc0, 0x34}));
        const std::string badPickle = dir.filePath("pickle.pt").toStdString();
        QVERIFY(writeZip(badPickle, {{"archive/data.pkl", huge}, {"archive/version", "3\n"}}));
        Status s = checkTorchArchive(badPickle);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().file, badPickle);
        QVERIFY2(s.error().message.find("'archive/data.pkl': pickle byte 11") != std::string::npos,
                 s.error().message.c_str());

        const std::string bomb = dir.filePath("bomb.pt").toStdString();
        QVERIFY(writeZip(bomb, {{"archive/data.pkl", goodPickle()},
                                {"archive/version", "3\n"},
                                {"archive/data/0", std::string(64u << 20, '\0')}}));
        s = checkTorchArchive(bomb);
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.find("claims") != std::string::npos, s.error().message.c_str());

        // LibTorch 1.13 leaks its zip reader when the version cannot be read: checked first.
        for (const char* version : {"x3\n", "", "99\n", "0"}) {
            const std::string v = dir.filePath("version.pt").toStdString();
            QVERIFY(
                writeZip(v, {{"archive/version", version}, {"archive/data.pkl", goodPickle()}}));
            s = checkTorchArchive(v);
            QVERIFY2(!s.ok(), version);
            QVERIFY2(s.error().message.find("archive/version is not a format version") !=
                         std::string::npos,
                     s.error().message.c_str());
        }
        const std::string noVersion = dir.filePath("noversion.pt").toStdString();
        QVERIFY(writeZip(noVersion, {{"archive/data.pkl", goodPickle()}}));
        QVERIFY(!checkTorchArchive(noVersion).ok());
        const std::string flat = dir.filePath("flat.pt").toStdString();
        QVERIFY(writeZip(flat, {{"version", "3\n"}, {"data.pkl", goodPickle()}}));
        QVERIFY(!checkTorchArchive(flat).ok());

        // TorchScript sources: only the module declarations LibTorch writes for C++ modules.
        const std::string module =
            "class Module(Module):\n"
            "  __parameters__ = [\"weight\", \"bias\", ]\n"
            "  __buffers__ = []\n"
            "  weight : Tensor\n"
            "  bias : Tensor\n"
            "  inner : __torch__.___torch_mangle_3.Module\n"
            "  __annotations__[\"param.dim\"] = str\n";
        const std::string code = dir.filePath("code.pt").toStdString();
        QVERIFY(writeZip(code, {{"archive/version", "3\n"},
                                {"archive/data.pkl", goodPickle()},
                                {"archive/code/__torch__.py", module}}));
        s = checkTorchArchive(code);
        QVERIFY2(s.ok(), s.ok() ? "" : s.error().toString().c_str());
        for (const char* line : {"  x : Final[int] = 3\n", "def forward(self):\n",
                                 "  __constants__ = [\"x\"]\n", "import os\n"}) {
            QVERIFY(writeZip(code, {{"archive/version", "3\n"},
                                    {"archive/data.pkl", goodPickle()},
                                    {"archive/code/__torch__.py", module + line}}));
            s = checkTorchArchive(code);
            QVERIFY2(!s.ok(), line);
            QVERIFY2(s.error().message.find("is not the module source") != std::string::npos,
                     s.error().message.c_str());
        }

        const std::string escape = dir.filePath("escape.pt").toStdString();
        QVERIFY(writeZip(escape, {{"archive/../data.pkl", goodPickle()}}));
        QVERIFY(!checkTorchArchive(escape).ok());

        const std::string text = dir.filePath("text.pt").toStdString();
        {
            QFile f(QString::fromStdString(text));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\"not\": \"a model\"}\n");
        }
        s = checkTorchArchive(text);
        QVERIFY(!s.ok());
        QVERIFY(s.error().message.find("not a zip") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestTorchArchiveCheck)
#include "tst_torcharchivecheck.moc"
