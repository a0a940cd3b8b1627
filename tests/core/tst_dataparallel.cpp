// Data-parallel training's plumbing (core/dist) over loopback, each rank a thread of this
// process: the torchrun environment's checks, shard arithmetic, every collective against
// hand-computed sums, the gathered-batch gradient factor, EpochTrainer's shared early stopping
// and cancel, and the fault messages (a failed or vanished peer named, a missing peer, a port
// in use, a duplicate RANK, a lost store host reported from c10d's own thread). Whole models on two processes are in tests/app/tst_distributed.

// LibTorch before Qt: Qt's "slots" macro breaks LibTorch's headers.
#include <torch/torch.h>

#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "core/dist/DataParallel.h"
#include "core/dist/DistConfig.h"
#include "core/dist/LoopbackPort.h"
#include "core/dist/StoreHostWatch.h"
#include "core/train/EpochTrainer.h"

using namespace recscope;

namespace {

DistConfig rankConfig(int rank, int world, int port, double timeout = 20.0) {
    DistConfig c;
    c.rank = rank;
    c.localRank = rank;
    c.worldSize = world;
    c.masterAddr = "127.0.0.1";
    c.masterPort = port;
    c.backend = "gloo";
    c.timeoutSeconds = timeout;
    return c;
}

// Runs body(rank, group) on one thread per rank, every rank joined to one group on a fresh
// port. Returns each rank's error text ("" when its body ran through); a rank whose connect
// failed reports "connect: <message>".
std::vector<std::string> onRanks(int world, const std::function<void(int, DataParallel&)>& body,
                                 double timeout = 20.0) {
    const int port = freeLoopbackPort();
    std::vector<std::string> errors(static_cast<size_t>(world));
    std::vector<std::thread> threads;
    for (int r = 0; r < world; ++r)
        threads.emplace_back([&, r] {
            auto joined = DataParallel::connect(rankConfig(r, world, port, timeout), "cpu");
            if (!joined) {
                errors[size_t(r)] = "connect: " + joined.error().message;
                return;
            }
            try {
                body(r, *joined.value());
            } catch (const std::exception& e) {
                errors[size_t(r)] = e.what();
            }
        });
    for (auto& t : threads)
        t.join();
    return errors;
}

EnvLookup envOf(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        const auto it = vars.find(name);
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    };
}

// An EpochModel whose "gradient" is an allReduceLoss of rank + 1: its loss is the sum over
// ranks, and its weights are the epoch they were trained in.
class SyncedModel : public EpochModel {
public:
    explicit SyncedModel(DataParallel& group) : m_group(group) {}
    int weights = 0, epoch = 0, restored = 0;
    int64_t batches = 0;
    CancelToken* token = nullptr;
    int64_t cancelAfterBatches = -1;

    int64_t beginEpoch(int e) override {
        epoch = e;
        return 3;
    }
    double trainBatch(int64_t) override {
        ++batches;
        if (token && batches == cancelAfterBatches)
            token->cancel();
        weights = epoch;
        return m_group.allReduceLoss(m_group.rank() + 1.0);
    }
    void snapshot() override { m_saved = weights; }
    void restoreSnapshot() override {
        weights = m_saved;
        ++restored;
    }

private:
    DataParallel& m_group;
    int m_saved = -1;
};

}  // namespace

class TestDataParallel : public QObject {
    Q_OBJECT

private slots:
    void environment() {
        using Vars = std::map<std::string, std::string>;
        const Vars base{{"MASTER_ADDR", "10.1.2.3"}, {"MASTER_PORT", "29511"}};
        auto with = [&](Vars extra) {
            Vars v = base;
            for (auto& [k, x] : extra)
                v[k] = x;
            return envOf(v);
        };
        // No WORLD_SIZE, or a world of one without --dist: a plain run.
        auto plain = resolveDistConfig({}, envOf({}));
        QVERIFY(plain && !plain.value());
        plain = resolveDistConfig({}, with({{"WORLD_SIZE", "1"}, {"RANK", "0"}}));
        QVERIFY(plain && !plain.value());
        // torchrun's variables.
        auto two =
            resolveDistConfig({}, with({{"WORLD_SIZE", "2"}, {"RANK", "1"}, {"LOCAL_RANK", "0"}}));
        QVERIFY2(two && two.value(), two ? "" : two.error().message.c_str());
        QCOMPARE(two.value()->worldSize, 2);
        QCOMPARE(two.value()->rank, 1);
        QCOMPARE(two.value()->localRank, 0);
        QCOMPARE(two.value()->masterAddr, std::string("10.1.2.3"));
        QCOMPARE(two.value()->masterPort, 29511);
        QCOMPARE(deviceForRank("cuda", *two.value()), std::string("cuda:0"));
        QCOMPARE(deviceForRank("cpu", *two.value()), std::string("cpu"));
        QCOMPARE(two.value()->localWorldSize, 1);
        QVERIFY(!two.value()->agentStore);
        // torchrun's elastic agent: its store, its restart count, the node's share of cores.
        auto elastic = resolveDistConfig({}, with({{"WORLD_SIZE", "4"},
                                                   {"RANK", "3"},
                                                   {"LOCAL_WORLD_SIZE", "2"},
                                                   {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                                                   {"TORCHELASTIC_RESTART_COUNT", "3"}}));
        QVERIFY(elastic && elastic.value());
        QVERIFY(elastic.value()->agentStore);
        QCOMPARE(elastic.value()->attempt, std::string("3"));
        QCOMPARE(threadsForRank(*elastic.value(), 8), 4);
        QCOMPARE(threadsForRank(*elastic.value(), 1), 1);
        // A world of one through --dist (the GPU script's first NCCL run).
        auto one =
            resolveDistConfig({"env://", "nccl", "7"}, with({{"WORLD_SIZE", "1"}, {"RANK", "0"}}));
        QVERIFY(one && one.value());
        QCOMPARE(one.value()->backend, std::string("nccl"));
        QCOMPARE(one.value()->timeoutSeconds, 7.0);
        // tcp://HOST:PORT instead of MASTER_*.
        auto tcp = resolveDistConfig({"tcp://[::1]:4000", "", ""},
                                     envOf({{"WORLD_SIZE", "2"}, {"RANK", "0"}}));
        QVERIFY(tcp && tcp.value());
        QCOMPARE(tcp.value()->masterAddr, std::string("::1"));
        QCOMPARE(tcp.value()->masterPort, 4000);
        // --dist none wins over the environment.
        auto none = resolveDistConfig({"none", "", ""}, with({{"WORLD_SIZE", "2"}, {"RANK", "1"}}));
        QVERIFY(none && !none.value());
        // The timeout from the environment.
        auto env = resolveDistConfig(
            {}, with({{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"RECSCOPE_DIST_TIMEOUT", "12.5"}}));
        QVERIFY(env && env.value());
        QCOMPARE(env.value()->timeoutSeconds, 12.5);

        const std::vector<std::pair<std::pair<DistOptions, Vars>, std::string>> bad = {
            {{{}, {{"WORLD_SIZE", "2"}, {"RANK", "2"}}}, "RANK=2 is outside 0..1"},
            {{{}, {{"WORLD_SIZE", "two"}, {"RANK", "0"}}}, "WORLD_SIZE='two'"},
            {{{}, {{"WORLD_SIZE", "0"}, {"RANK", "0"}}}, "WORLD_SIZE='0'"},
            {{{}, {{"WORLD_SIZE", "2"}}}, "RANK is not"},
            {{{}, {{"WORLD_SIZE", "2"}, {"RANK", "-1"}}}, "RANK='-1'"},
            {{{}, {{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"LOCAL_RANK", "x"}}}, "LOCAL_RANK='x'"},
            {{{}, {{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"LOCAL_WORLD_SIZE", "0"}}},
             "LOCAL_WORLD_SIZE='0'"},
            {{{}, {{"WORLD_SIZE", "2"}, {"RANK", "0"}, {"MASTER_PORT", "70000"}}},
             "MASTER_PORT='70000'"},
            {{{"env://", "", ""}, {}}, "needs WORLD_SIZE and RANK"},
            {{{"mpi://x", "", ""}, {{"WORLD_SIZE", "2"}, {"RANK", "0"}}}, "--dist must be"},
            {{{"", "mpi", ""}, {{"WORLD_SIZE", "2"}, {"RANK", "0"}}}, "--dist-backend"},
            {{{"", "", "0"}, {{"WORLD_SIZE", "2"}, {"RANK", "0"}}}, "--dist-timeout"},
            {{{"tcp://host", "", ""}, {{"WORLD_SIZE", "2"}, {"RANK", "0"}}}, "HOST:PORT"},
        };
        for (const auto& [input, expected] : bad) {
            Vars v = input.second;
            if (input.first.dist.empty())
                v.insert(base.begin(), base.end());  // keeps the case's own values
            auto r = resolveDistConfig(input.first, envOf(v));
            QVERIFY2(!r, expected.c_str());
            QVERIFY2(r.error().message.find(expected) != std::string::npos,
                     (r.error().message + " / expected: " + expected).c_str());
        }
        auto noAddr = resolveDistConfig({}, envOf({{"WORLD_SIZE", "2"}, {"RANK", "0"}}));
        QVERIFY(!noAddr);
        QVERIFY(noAddr.error().message.find("MASTER_ADDR") != std::string::npos);
    }

    void shards() {
        for (int world = 1; world <= 4; ++world)
            for (int64_t n = 0; n <= 11; ++n) {
                const int64_t begin = 100;
                int64_t next = begin;
                double shares = 0.0;
                int64_t smallest = n, largest = 0;
                for (int r = 0; r < world; ++r) {
                    const BatchShard s = DataParallel::shardOf(r, world, begin, begin + n);
                    QCOMPARE(s.begin, next);  // contiguous, in rank order
                    next = s.end;
                    shares += s.share;
                    smallest = std::min(smallest, s.size());
                    largest = std::max(largest, s.size());
                }
                QCOMPARE(next, begin + n);
                QVERIFY(largest - smallest <= 1);
                QCOMPARE(shares, n > 0 ? 1.0 : 0.0);
            }
    }

    void collectives() {
        const int world = 3;
        struct Seen {
            std::vector<float> broadcast, grad, untouched, gathered, localGrad, values;
            double loss = 0.0;
        };
        std::vector<Seen> seen(world);
        const auto errors = onRanks(world, [&](int r, DataParallel& group) {
            Seen& out = seen[size_t(r)];
            auto weights = torch::full({2, 2}, float(r + 1));
            group.broadcastParameters({weights});
            out.broadcast.assign(weights.data_ptr<float>(), weights.data_ptr<float>() + 4);

            auto p = torch::zeros({3}).requires_grad_();
            (p * float(r + 1)).sum().backward();  // grad = r + 1
            auto q = torch::zeros({2}).requires_grad_();
            if (r == 1)
                (q * 5.0f).sum().backward();  // only rank 1 has a gradient for q
            out.loss = group.allReduceGradients({p, q}, 0.5 * (r + 1));
            out.grad.assign(p.grad().data_ptr<float>(), p.grad().data_ptr<float>() + 3);
            out.untouched.assign(q.grad().data_ptr<float>(), q.grad().data_ptr<float>() + 2);

            // 7 rows over 3 ranks: 3 + 2 + 2; row k of the batch holds (k, -k).
            const BatchShard mine = group.shard(10, 17);
            auto local = torch::empty({mine.size(), 2});
            for (int64_t k = 0; k < mine.size(); ++k) {
                local[k][0] = float(mine.begin - 10 + k);
                local[k][1] = -float(mine.begin - 10 + k);
            }
            auto all = group.gatherRows(local, 10, 17).contiguous();
            out.gathered.assign(all.data_ptr<float>(), all.data_ptr<float>() + all.numel());

            // Every rank computes the same loss of the gathered batch, share 1 / world.
            auto leaf = local.clone().requires_grad_();
            auto batch = group.gatherRowsForLoss(leaf, 10, 17);
            auto coef = torch::arange(14, torch::kFloat).view({7, 2});
            ((batch * coef).sum() / float(world)).backward();
            out.localGrad.assign(leaf.grad().data_ptr<float>(),
                                 leaf.grad().data_ptr<float>() + leaf.grad().numel());

            out.values = [&] {
                auto v = group.broadcastValues({double(r), 2.5, -1.0 * r});
                return std::vector<float>(v.begin(), v.end());
            }();
        });
        for (int r = 0; r < world; ++r)
            QVERIFY2(errors[size_t(r)].empty(), errors[size_t(r)].c_str());
        for (int r = 0; r < world; ++r) {
            const Seen& s = seen[size_t(r)];
            QCOMPARE(s.broadcast, std::vector<float>(4, 1.0f));  // rank 0's values
            QCOMPARE(s.grad, std::vector<float>(3, 6.0f));       // 1 + 2 + 3
            QCOMPARE(s.untouched, std::vector<float>(2, 5.0f));  // zeros elsewhere
            QCOMPARE(s.loss, 0.5 * 6.0);
            std::vector<float> rows;
            for (int k = 0; k < 7; ++k) {
                rows.push_back(float(k));
                rows.push_back(-float(k));
            }
            QCOMPARE(s.gathered, rows);
            // d(sum of shares)/d(own rows) = coef rows of this rank's shard.
            const BatchShard mine = DataParallel::shardOf(r, world, 10, 17);
            std::vector<float> expected;
            for (int64_t k = mine.begin - 10; k < mine.end - 10; ++k) {
                expected.push_back(float(2 * k));
                expected.push_back(float(2 * k + 1));
            }
            QCOMPARE(s.localGrad.size(), expected.size());
            for (size_t k = 0; k < expected.size(); ++k)  // (x / 3) * 3 in float
                QVERIFY(std::fabs(s.localGrad[k] - expected[k]) < 1e-5f);
            QCOMPARE(s.values, (std::vector<float>{0.0f, 2.5f, 0.0f}));
        }
    }

    // Rank 0 alone validates; every rank keeps, restores and stops after the same epoch.
    void trainerSharesEarlyStopping() {
        struct Outcome {
            int epochsRun = 0, bestEpoch = 0, weights = 0, restored = 0, validations = 0;
            std::vector<double> losses;
        };
        std::vector<Outcome> out(2);
        const auto errors = onRanks(2, [&](int r, DataParallel& group) {
            SyncedModel model(group);
            TrainConfig config;
            config.epochs = 10;
            config.patience = 2;
            EpochTrainer trainer(config);
            const std::vector<double> script = r == 0
                                                   ? std::vector<double>{0.1, 0.3, 0.2, 0.25, 0.9}
                                                   : std::vector<double>{0.9, 0.1, 0.1, 0.1, 0.1};
            int calls = 0;
            trainer.setValidator([&]() -> Result<std::map<std::string, double>> {
                return std::map<std::string, double>{{"ndcg@10", script[size_t(calls++)]}};
            });
            FitContext context;
            context.parallel = &group;
            auto summary = trainer.run(model, context);
            if (!summary)
                throw std::runtime_error(summary.error().message);
            out[size_t(r)] = {
                summary->epochsRun, summary->bestEpoch, model.weights, model.restored, calls, {}};
            for (const auto& e : summary->history)
                out[size_t(r)].losses.push_back(e.trainLoss);
        });
        QVERIFY2(errors[0].empty(), errors[0].c_str());
        QVERIFY2(errors[1].empty(), errors[1].c_str());
        for (const Outcome& o : out) {
            QCOMPARE(o.epochsRun, 4);  // 0.3 at epoch 2, then two epochs without a better one
            QCOMPARE(o.bestEpoch, 2);
            QCOMPARE(o.weights, 2);
            QCOMPARE(o.restored, 1);
            QCOMPARE(o.losses, std::vector<double>(4, 3.0));  // 1 + 2 on every batch
        }
        QCOMPARE(out[0].validations, 4);
        QCOMPARE(out[1].validations, 0);  // rank 1 never validated
    }

    // A Ctrl+C on one rank stops every rank after the same batch.
    void trainerCancelsTogether() {
        std::vector<int64_t> batches(2);
        std::vector<std::string> results(2);
        std::vector<CancelToken> tokens(2);
        const auto errors = onRanks(2, [&](int r, DataParallel& group) {
            SyncedModel model(group);
            if (r == 1) {
                model.token = &tokens[1];
                model.cancelAfterBatches = 5;
            }
            TrainConfig config;
            config.epochs = 10;
            EpochTrainer trainer(config);
            FitContext context;
            context.parallel = &group;
            context.cancel = &tokens[size_t(r)];
            auto summary = trainer.run(model, context);
            results[size_t(r)] = summary ? "finished" : summary.error().message;
            batches[size_t(r)] = model.batches;
        });
        QVERIFY2(errors[0].empty(), errors[0].c_str());
        QVERIFY2(errors[1].empty(), errors[1].c_str());
        QCOMPARE(results[0], std::string("cancelled"));
        QCOMPARE(results[1], std::string("cancelled"));
        QCOMPARE(batches[0], int64_t(5));  // the cancel travelled with batch 5's sync
        QCOMPARE(batches[1], int64_t(5));
    }

    // A rank that fails says why; the others end naming it.
    void failedPeerIsNamed() {
        const auto errors = onRanks(2, [&](int r, DataParallel& group) {
            if (r == 1) {
                group.reportFailure("cannot read ratings.csv");
                return;  // its group closes: rank 0's collective fails at once
            }
            group.allReduceLoss(1.0);
        });
        QVERIFY(errors[1].empty());
        QVERIFY2(errors[0].find("rank 0: rank 1 failed") != std::string::npos, errors[0].c_str());
        QVERIFY2(errors[0].find("cannot read ratings.csv") != std::string::npos, errors[0].c_str());
    }

    // A rank that vanishes without a word is named by its stopped heartbeat.
    void vanishedPeerIsNamed() {
        const auto errors = onRanks(2, [&](int r, DataParallel& group) {
            if (r == 1)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            group.allReduceLoss(1.0);
        });
        QVERIFY(errors[1].empty());
        QVERIFY2(errors[0].find("rank 0: lost rank 1 during allreduce") != std::string::npos,
                 errors[0].c_str());
    }

    void missingPeer() {
        const int port = freeLoopbackPort();
        auto joined = DataParallel::connect(rankConfig(0, 2, port, 2.0), "cpu");
        QVERIFY(!joined);
        QVERIFY2(joined.error().message.find("rank 0: rank 1 did not join within 2 s") !=
                     std::string::npos,
                 joined.error().message.c_str());
        auto lonely = DataParallel::connect(rankConfig(1, 2, freeLoopbackPort(), 2.0), "cpu");
        QVERIFY(!lonely);
        QVERIFY2(
            lonely.error().message.find("rank 1: no rendezvous at 127.0.0.1:") != std::string::npos,
            lonely.error().message.c_str());
    }

    void portInUse() {
        int port = 0;
        const int busy = listenOnFreePort(port);
        QVERIFY(busy >= 0);
        auto joined = DataParallel::connect(rankConfig(0, 2, port, 2.0), "cpu");
        ::close(busy);
        QVERIFY(!joined);
        QVERIFY2(joined.error().message.find("port " + std::to_string(port) +
                                             ": the port is in use") != std::string::npos,
                 joined.error().message.c_str());
    }

    void duplicateRank() {
        const int port = freeLoopbackPort();
        std::vector<std::string> errors(3);
        std::vector<std::thread> threads;
        for (int k = 0; k < 3; ++k)
            threads.emplace_back([&, k] {
                if (k == 2)  // the second "rank 1" comes late
                    std::this_thread::sleep_for(std::chrono::milliseconds(500));
                auto joined =
                    DataParallel::connect(rankConfig(k == 0 ? 0 : 1, 3, port, 3.0), "cpu");
                errors[size_t(k)] = joined ? "" : joined.error().message;
            });
        for (auto& t : threads)
            t.join();
        // The duplicate is always refused. Its message is the clear one, except that on a
        // loaded machine c10d's store sometimes resets the late connection first (1 run in 8
        // under load here; the cause inside TCPStore is not found): then the refusal still
        // names the rank and the store.
        const bool clear = errors[2].find("another process already joined as rank 1") !=
                           std::string::npos;
        const bool storeReset = errors[2].rfind("rank 1: store at 127.0.0.1:", 0) == 0;
        QVERIFY2(clear || storeReset, errors[2].c_str());
        if (!clear)
            qWarning("duplicate rank refused by a store reset: %s", errors[2].c_str());
        QVERIFY2(errors[0].find("rank 2 did not join") != std::string::npos, errors[0].c_str());
    }

    // c10d's store reader thread ends the process when the store's host dies (a
    // std::system_error escapes it). Watched, that is a lost host with exit status 1; any other
    // escaped exception still aborts. Each case runs in a forked child.
    void lostStoreHostReported() {
        struct Case {
            bool systemError;
            bool agent;
            int status;  // expected exit code, or -signal
            const char* says;
        } cases[] = {{true, false, 1, "rank 1: lost rank 0: its connection was cut"},
                     {true, true, 1, "rank 1: lost the launcher"},
                     {false, false, -SIGABRT, ""}};
        for (const Case& c : cases) {
            int pipeFds[2];
            QCOMPARE(::pipe(pipeFds), 0);
            const pid_t child = ::fork();
            QVERIFY(child >= 0);
            if (child == 0) {
                ::dup2(pipeFds[1], STDERR_FILENO);
                ::close(pipeFds[0]);
                watchStoreHost(1, c.agent);
                std::thread([&] {
                    if (c.systemError)
                        throw std::system_error(ECONNRESET, std::system_category());
                    throw std::runtime_error("something else");
                }).join();
                _exit(0);
            }
            ::close(pipeFds[1]);
            std::string err;
            char buffer[512];
            for (ssize_t n; (n = ::read(pipeFds[0], buffer, sizeof buffer)) > 0;)
                err.append(buffer, size_t(n));
            ::close(pipeFds[0]);
            int status = 0;
            QCOMPARE(::waitpid(child, &status, 0), child);
            const int got = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
            QVERIFY2(got == c.status, err.c_str());
            QVERIFY2(err.find(c.says) != std::string::npos, err.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestDataParallel)
#include "tst_dataparallel.moc"
