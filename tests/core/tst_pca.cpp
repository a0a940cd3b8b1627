// The embedding map's PCA and neighbours: hand-computed 2-D and 3-D examples, a seeded random
// table against Eigen's SVD of the centred data (axes up to sign, variance ratios, coordinates),
// the sign convention, cosine neighbours against a brute-force search, and bad input.
#include <QtTest>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/inspect/Pca.h"

using namespace recscope;

namespace {

EmbeddingTable makeTable(int32_t rows, int32_t dim, std::vector<float> values) {
    EmbeddingTable t;
    t.rows = rows;
    t.dim = dim;
    t.values = std::move(values);
    return t;
}

EmbeddingTable randomTable(int32_t rows, int32_t dim, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> v(static_cast<size_t>(rows) * dim);
    // Unequal spreads per column so that the leading axes are well separated.
    for (int32_t r = 0; r < rows; ++r)
        for (int32_t c = 0; c < dim; ++c)
            v[static_cast<size_t>(r) * dim + c] = normal(rng) * (1.0f + 0.7f * float(dim - c));
    return makeTable(rows, dim, std::move(v));
}

bool near(double a, double b, double eps) {
    return std::abs(a - b) <= eps;
}

}  // namespace

class TestPca : public QObject {
    Q_OBJECT

private slots:
    void handExample2d();
    void handExample3d();
    void matchesEigenDecomposition();
    void signConvention();
    void neighboursEqualBruteForce();
    void neighboursSkipDuplicatesOfTheQuery();
    void badInput();
};

void TestPca::handExample2d() {
    // (2,0), (-2,0), (0,1), (0,-1): mean 0, variances 8/3 and 2/3, no covariance.
    const auto p = Pca::project(makeTable(4, 2, {2, 0, -2, 0, 0, 1, 0, -1}));
    QVERIFY2(p.ok(), p.ok() ? "" : p.error().message.c_str());
    QVERIFY(near(p->explained[0], 0.8, 1e-12));
    QVERIFY(near(p->explained[1], 0.2, 1e-12));
    QVERIFY(near(p->axes[0], 1.0, 1e-12) && near(p->axes[1], 0.0, 1e-12));
    QVERIFY(near(p->axes[2], 0.0, 1e-12) && near(p->axes[3], 1.0, 1e-12));
    const float expected[] = {2, 0, -2, 0, 0, 1, 0, -1};
    for (int i = 0; i < 8; ++i)
        QVERIFY2(near(p->points[i], expected[i], 1e-6), qPrintable(QString::number(i)));
}

void TestPca::handExample3d() {
    // Shifted by (1, 2, 3): (3,3,0), (-3,-3,0), (1,-1,0), (-1,1,0). X^T X = [[20,16,0],[16,20,0],
    // [0,0,0]]: eigenvalues 36 along (1,1,0)/sqrt2 and 4 along (1,-1,0)/sqrt2 -> 0.9 / 0.1.
    std::vector<float> v{3, 3, 0, -3, -3, 0, 1, -1, 0, -1, 1, 0};
    for (size_t i = 0; i < v.size(); ++i)
        v[i] += float(i % 3 + 1);
    const auto p = Pca::project(makeTable(4, 3, v));
    QVERIFY(p.ok());
    QVERIFY(near(p->mean[0], 1, 1e-12) && near(p->mean[1], 2, 1e-12) && near(p->mean[2], 3, 1e-12));
    QVERIFY(near(p->explained[0], 0.9, 1e-12));
    QVERIFY(near(p->explained[1], 0.1, 1e-12));
    const double h = 1.0 / std::sqrt(2.0);
    // Axis 2 has two components of equal magnitude: the lower index is made positive.
    const double axes[] = {h, h, 0, h, -h, 0};
    for (int i = 0; i < 6; ++i)
        QVERIFY2(near(p->axes[i], axes[i], 1e-9), qPrintable(QString::number(i)));
    const double s = std::sqrt(2.0);
    const double points[] = {3 * s, 0, -3 * s, 0, 0, s, 0, -s};
    for (int i = 0; i < 8; ++i)
        QVERIFY2(near(p->points[i], points[i], 1e-5), qPrintable(QString::number(i)));
}

void TestPca::matchesEigenDecomposition() {
    const int32_t n = 120;
    const int32_t d = 7;
    const EmbeddingTable t = randomTable(n, d, 7);
    const auto p = Pca::project(t);
    QVERIFY(p.ok());
    // Reference: the SVD of the centred data; squared singular values are the eigenvalues of
    // X^T X and the right singular vectors its eigenvectors.
    Eigen::MatrixXd x(n, d);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < d; ++c)
            x(r, c) = t.values[static_cast<size_t>(r) * d + c];
    const Eigen::RowVectorXd mean = x.colwise().mean();
    x.rowwise() -= mean;
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(x, Eigen::ComputeThinV);
    const Eigen::VectorXd s2 = svd.singularValues().array().square();
    const double total = s2.sum();
    for (int a = 0; a < 2; ++a) {
        QVERIFY(near(p->explained[a], s2[a] / total, 1e-9));
        const Eigen::VectorXd ref = svd.matrixV().col(a);
        Eigen::VectorXd ours(d);
        for (int c = 0; c < d; ++c)
            ours[c] = p->axes[static_cast<size_t>(a * d + c)];
        const double dot = ours.dot(ref);
        QVERIFY2(near(std::abs(dot), 1.0, 1e-9), qPrintable(QString::number(dot)));
        // Coordinates equal the centred rows projected on the (sign-matched) reference axis.
        const Eigen::VectorXd coords = x * ref * (dot > 0 ? 1.0 : -1.0);
        for (int r = 0; r < n; ++r)
            QVERIFY(near(p->points[static_cast<size_t>(2 * r + a)], coords[r], 1e-4));
    }
    // The two axes are orthogonal and the coordinates centred.
    double cross = 0.0;
    double sum0 = 0.0;
    for (int c = 0; c < d; ++c)
        cross += p->axes[c] * p->axes[d + c];
    for (int r = 0; r < n; ++r)
        sum0 += p->points[2 * r];
    QVERIFY(near(cross, 0.0, 1e-9));
    QVERIFY(near(sum0, 0.0, 1e-3));
}

void TestPca::signConvention() {
    // Negating every vector flips the data but not the axes' signs: the largest component of
    // each axis stays positive, and the points mirror through the origin.
    EmbeddingTable t = randomTable(60, 5, 11);
    const auto a = Pca::project(t);
    for (float& v : t.values)
        v = -v;
    const auto b = Pca::project(t);
    QVERIFY(a.ok() && b.ok());
    for (int axis = 0; axis < 2; ++axis) {
        const auto begin = a->axes.begin() + axis * 5;
        const auto big = std::max_element(
            begin, begin + 5, [](double x, double y) { return std::abs(x) < std::abs(y); });
        QVERIFY(*big > 0);
        for (int c = 0; c < 5; ++c)
            QVERIFY(near(a->axes[axis * 5 + c], b->axes[axis * 5 + c], 1e-9));
    }
    for (size_t i = 0; i < a->points.size(); ++i)
        QVERIFY(near(a->points[i], -b->points[i], 1e-4));
}

void TestPca::neighboursEqualBruteForce() {
    const int32_t n = 300;
    const int32_t d = 16;
    EmbeddingTable t = randomTable(n, d, 3);
    // A zero row: cosine 0 with everything, never a neighbour ahead of a positive cosine.
    std::fill(t.values.begin() + 5 * d, t.values.begin() + 6 * d, 0.0f);
    const EmbeddingTable copy = t;
    auto pca = Pca::build(std::move(t));
    QVERIFY(pca.ok());
    auto norm = [&](int r) {
        double s = 0;
        for (int c = 0; c < d; ++c)
            s += double(copy.values[r * d + c]) * copy.values[r * d + c];
        return std::sqrt(s);
    };
    for (int32_t query : {0, 17, 123, 299}) {
        std::vector<std::pair<double, int32_t>> all;
        for (int32_t r = 0; r < n; ++r) {
            if (r == query)
                continue;
            double dot = 0;
            for (int c = 0; c < d; ++c)
                dot += double(copy.values[query * d + c]) * copy.values[r * d + c];
            const double nr = norm(r);
            all.push_back({nr > 0 ? dot / (norm(query) * nr) : 0.0, r});
        }
        std::sort(all.begin(), all.end(), [](auto& x, auto& y) { return x.first > y.first; });
        const auto got = pca->neighbours(query, 10);
        QVERIFY(got.ok());
        QCOMPARE(int(got->size()), 10);
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(got.value()[i].row, all[i].second);
            QVERIFY(near(got.value()[i].cosine, all[i].first, 1e-5));
        }
    }
    // More neighbours than other rows: all of them.
    QCOMPARE(int(pca->neighbours(1, 1000)->size()), n - 1);
}

void TestPca::neighboursSkipDuplicatesOfTheQuery() {
    // Rows 0, 1 and 2 are the same direction: the query never lists itself, its copies come
    // first with cosine 1.
    auto pca = Pca::build(makeTable(4, 2, {1, 1, 2, 2, 1, 1, 1, -1}));
    QVERIFY(pca.ok());
    const auto got = pca->neighbours(0, 3);
    QVERIFY(got.ok());
    QCOMPARE(int(got->size()), 3);
    for (const PcaNeighbour& nb : got.value())
        QVERIFY(nb.row != 0);
    QVERIFY(near(got.value()[0].cosine, 1.0, 1e-6) && near(got.value()[1].cosine, 1.0, 1e-6));
    QCOMPARE(got.value()[2].row, 3);
    QVERIFY(near(got.value()[2].cosine, 0.0, 1e-6));
}

void TestPca::badInput() {
    QVERIFY(!Pca::project(EmbeddingTable{}).ok());
    QVERIFY(!Pca::project(makeTable(2, 2, {1, 2, 3})).ok());
    const auto nan = Pca::project(makeTable(2, 2, {1, 2, NAN, 4}));
    QVERIFY(!nan.ok());
    QVERIFY(nan.error().message.find("row 1, column 0") != std::string::npos);
    auto pca = Pca::build(makeTable(3, 2, {1, 0, 0, 1, 1, 1}));
    QVERIFY(pca.ok());
    QVERIFY(!pca->neighbours(3, 2).ok());
    QVERIFY(!pca->neighbours(-1, 2).ok());
    QVERIFY(!pca->neighbours(0, 0).ok());
    // One dimension: a single real axis, the second zero.
    const auto line = Pca::project(makeTable(3, 1, {1, 2, 6}));
    QVERIFY(line.ok());
    QVERIFY(near(line->explained[0], 1.0, 1e-12));
    QCOMPARE(line->explained[1], 0.0);
    QVERIFY(near(line->points[0], -2.0, 1e-6) && near(line->points[4], 3.0, 1e-6));
    QCOMPARE(line->points[1], 0.0f);
    // A single row: everything at the origin, no variance to explain.
    const auto one = Pca::project(makeTable(1, 3, {1, 2, 3}));
    QVERIFY(one.ok());
    QCOMPARE(one->points[0], 0.0f);
    QCOMPARE(one->explained[0], 0.0);
    QVERIFY(Pca::build(makeTable(1, 3, {1, 2, 3}))->neighbours(0, 5)->empty());
    CancelToken cancel;
    cancel.cancel();
    QVERIFY(!Pca::build(makeTable(3, 2, {1, 0, 0, 1, 1, 1}), &cancel).ok());
}

QTEST_GUILESS_MAIN(TestPca)
#include "tst_pca.moc"
