// k nearest neighbours, classification and regression, in Euclidean distance on
// the standardised encoded features. Two searches give the same neighbours:
// brute force, blocked so that distances come from matrix products (fast in
// many dimensions), and a k-d tree (fast in few). "auto" picks the tree up to
// 12 dimensions. Ties in distance go to the earlier training row, so the answer
// never depends on the search or the thread count.
//
// scikit-learn's KNeighbors take no sample_weight. Here a row's weight
// multiplies its vote (classification) or its share of the mean (regression),
// on top of the distance weight; the k neighbours are still the k nearest
// rows, so a row of weight 2 is not two rows (it takes one place among the k).
// Rows of weight 0 are left out of the search altogether. Unequal weights are
// kept in the model file (format 3 on); equal ones change nothing and are not.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "builtin.hpp"
#include "explain/permutation_shapley.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/parallel.hpp"

namespace shipml::builtin {
namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Neighbour {
  double dist2;
  std::uint32_t row;
  bool operator<(const Neighbour& o) const { return dist2 < o.dist2 || (dist2 == o.dist2 && row < o.row); }
};

// The k best seen so far, worst on top of a max-heap.
class Nearest {
 public:
  explicit Nearest(std::size_t k) : k_(k) { heap_.reserve(k + 1); }
  double bound() const { return heap_.size() < k_ ? INFINITY : heap_.front().dist2; }
  void offer(Neighbour n) {
    if (heap_.size() < k_) {
      heap_.push_back(n);
      std::push_heap(heap_.begin(), heap_.end());
    } else if (n < heap_.front()) {
      std::pop_heap(heap_.begin(), heap_.end());
      heap_.back() = n;
      std::push_heap(heap_.begin(), heap_.end());
    }
  }
  std::vector<Neighbour> sorted() {
    std::sort(heap_.begin(), heap_.end());
    return heap_;
  }

 private:
  std::size_t k_;
  std::vector<Neighbour> heap_;
};

// A k-d tree over the rows of `points`: split at the median of the widest dimension.
class KdTree {
 public:
  KdTree() = default;
  // Holds row indices only: the points are passed to each search, so a tree
  // never points at storage that moved.
  KdTree(const RowMatrix& points, std::size_t leaf_size) : leaf_(std::max<std::size_t>(1, leaf_size)) {
    order_.resize(static_cast<std::size_t>(points.rows()));
    std::iota(order_.begin(), order_.end(), std::uint32_t{0});
    if (!order_.empty()) build(points, 0, order_.size());
  }

  void search(const RowMatrix& points, const double* q, Nearest& best) const {
    if (!nodes_.empty()) visit(points, 0, q, best);
  }

 private:
  struct Node {
    std::size_t begin, end;
    int left = -1, right = -1;
    std::vector<double> low, high;  // bounding box
  };

  int build(const RowMatrix& points, std::size_t begin, std::size_t end) {
    const auto d = static_cast<std::size_t>(points.cols());
    Node node{begin, end, -1, -1, std::vector<double>(d, INFINITY), std::vector<double>(d, -INFINITY)};
    for (std::size_t i = begin; i < end; ++i)
      for (std::size_t j = 0; j < d; ++j) {
        const double v = points(order_[i], static_cast<Eigen::Index>(j));
        node.low[j] = std::min(node.low[j], v);
        node.high[j] = std::max(node.high[j], v);
      }
    const int id = static_cast<int>(nodes_.size());
    nodes_.push_back(node);
    if (end - begin > leaf_) {
      std::size_t dim = 0;
      for (std::size_t j = 1; j < d; ++j)
        if (node.high[j] - node.low[j] > node.high[dim] - node.low[dim]) dim = j;
      const std::size_t mid = begin + (end - begin) / 2;
      std::nth_element(order_.begin() + static_cast<std::ptrdiff_t>(begin),
                       order_.begin() + static_cast<std::ptrdiff_t>(mid),
                       order_.begin() + static_cast<std::ptrdiff_t>(end), [&](std::uint32_t a, std::uint32_t b) {
                         return points(a, static_cast<Eigen::Index>(dim)) < points(b, static_cast<Eigen::Index>(dim));
                       });
      const int left = build(points, begin, mid), right = build(points, mid, end);
      nodes_[static_cast<std::size_t>(id)].left = left;
      nodes_[static_cast<std::size_t>(id)].right = right;
    }
    return id;
  }

  double box_distance2(const Node& n, const double* q) const {
    double s = 0;
    for (std::size_t j = 0; j < n.low.size(); ++j) {
      const double gap = q[j] < n.low[j] ? n.low[j] - q[j] : q[j] > n.high[j] ? q[j] - n.high[j] : 0;
      s += gap * gap;
    }
    return s;
  }

  void visit(const RowMatrix& points, int id, const double* q, Nearest& best) const {
    const Node& n = nodes_[static_cast<std::size_t>(id)];
    if (box_distance2(n, q) > best.bound()) return;
    if (n.left < 0) {
      const auto d = static_cast<std::size_t>(points.cols());
      for (std::size_t i = n.begin; i < n.end; ++i) {
        const double* p = points.row(order_[i]).data();
        double s = 0;
        for (std::size_t j = 0; j < d; ++j) s += (p[j] - q[j]) * (p[j] - q[j]);
        best.offer({s, order_[i]});
      }
      return;
    }
    const Node& l = nodes_[static_cast<std::size_t>(n.left)];
    const Node& r = nodes_[static_cast<std::size_t>(n.right)];
    if (box_distance2(l, q) <= box_distance2(r, q)) {
      visit(points, n.left, q, best);
      visit(points, n.right, q, best);
    } else {
      visit(points, n.right, q, best);
      visit(points, n.left, q, best);
    }
  }

  std::size_t leaf_ = 40;
  std::vector<std::uint32_t> order_;
  std::vector<Node> nodes_;
};

class Knn final : public Estimator {
 public:
  Knn(const Params& p, Task task)
      : k_(static_cast<std::size_t>(p.integer("n_neighbors"))), distance_weights_(p.text("weights") == "distance"),
        algorithm_(p.text("algorithm")), leaf_size_(static_cast<std::size_t>(p.integer("leaf_size"))), task_(task) {}

  void fit(const FeatureMatrix& X, std::span<const double> y, int n_classes, std::span<const double> weights) override {
    if (X.rows() > std::numeric_limits<std::uint32_t>::max()) throw DataError("knn: more than 4 billion training rows");
    points_ = RowMatrix(X.dense());
    y_.assign(y.begin(), y.end());
    weights_.clear();
    if (!weights.empty()) keep_weighted(weights);
    n_classes_ = n_classes;
    index();
  }

  std::vector<double> predict(const FeatureMatrix& X) const override {
    if (task_ == Task::classification) return Estimator::predict(X);
    const auto neighbours = query(X);
    std::vector<double> out(X.rows());
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto w = weights(neighbours[i]);
      double sum = 0, total = 0;
      for (std::size_t m = 0; m < w.size(); ++m) sum += w[m] * y_[neighbours[i][m].row], total += w[m];
      out[i] = sum / total;
    }
    return out;
  }

  Matrix predict_proba(const FeatureMatrix& X) const override {
    if (task_ != Task::classification) return Estimator::predict_proba(X);
    const auto neighbours = query(X);
    Matrix out = Matrix::Zero(static_cast<Eigen::Index>(X.rows()), n_classes_);
    for (std::size_t i = 0; i < neighbours.size(); ++i) {
      const auto w = weights(neighbours[i]);
      double total = 0;
      for (std::size_t m = 0; m < w.size(); ++m) {
        out(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(y_[neighbours[i][m].row])) += w[m];
        total += w[m];
      }
      out.row(static_cast<Eigen::Index>(i)) /= total;
    }
    return out;
  }

  void save(BinaryWriter& out) const override {
    out.u64(static_cast<std::uint64_t>(points_.rows()));
    out.u64(static_cast<std::uint64_t>(points_.cols()));
    out.array(std::vector<double>(points_.data(), points_.data() + points_.size()));
    out.array(y_);
    out.u64(static_cast<std::uint64_t>(n_classes_));
    // From format 3 on: the row weights, none when they are all alike (a
    // calibrated knn is format 3 without them). format_version() asks for 3
    // when there are some.
    if (out.format_version >= 3) out.array(weights_);
  }

  void load(BinaryReader& in) override {
    const auto rows = in.u64(), cols = in.u64();
    const auto data = in.array<double>();
    // Checked by division: a crafted file's sizes must not overflow a product.
    if (rows == 0 || data.size() % rows != 0 || data.size() / rows != cols)
      BinaryReader::fail("knn: training points do not match their shape");
    points_ =
        Eigen::Map<const RowMatrix>(data.data(), static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
    y_ = in.array<double>();
    if (y_.size() != rows) BinaryReader::fail("knn: one target per training point expected");
    n_classes_ = stored_class_count(in.u64(), "knn");
    // From format 3 on: the row weights, none when they were all alike.
    weights_ = in.format_version >= 3 ? in.array<double>() : std::vector<double>();
    if (!weights_.empty() && weights_.size() != rows) BinaryReader::fail("knn: one weight per training point expected");
    for (double w : weights_)
      if (!(w > 0 && std::isfinite(w))) BinaryReader::fail("knn: a row weight is not a positive number");
    // Votes go to out(row, y): a class index must be a whole number in range (NaN is not).
    for (double v : y_)
      if (task_ == Task::classification && !(v >= 0 && v < n_classes_ && v == std::floor(v)))
        BinaryReader::fail("knn: a class index is out of range");
    index();
  }

  EstimatorShape shape() const override {
    return {static_cast<std::size_t>(points_.cols()), static_cast<std::size_t>(n_classes_)};
  }

  std::uint32_t format_version() const override { return weights_.empty() ? 1 : 3; }

  // Sampled: a neighbour vote has no structure an exact method could use. The
  // background is up to kBackgroundRows training points, evenly spread over
  // the training rows, weighted as the fit weighted them.
  std::optional<FeatureContributions> contributions(const FeatureMatrix& X,
                                                    const ContributionRequest& request) const override {
    if (static_cast<Eigen::Index>(X.cols()) != points_.cols())
      throw ModelError("knn: expected " + std::to_string(points_.cols()) + " encoded features");
    constexpr Eigen::Index kBackgroundRows = 32;
    const Eigen::Index n = points_.rows(), B = std::min(n, kBackgroundRows);
    explain::Background background{Matrix(B, points_.cols()), std::vector<double>(static_cast<std::size_t>(B))};
    double total = 0;
    for (Eigen::Index b = 0; b < B; ++b) {
      const Eigen::Index row = b * n / B;
      background.rows.row(b) = points_.row(row);
      const double weight = weights_.empty() ? 1.0 : weights_[static_cast<std::size_t>(row)];
      background.weights[static_cast<std::size_t>(b)] = weight;
      total += weight;
    }
    for (double& w : background.weights) w /= total;
    return explain::permutation_shapley(
        X, background, [this](const FeatureMatrix& rows) { return raw_output(rows); }, request);
  }

  nlohmann::json inspect(const std::vector<std::string>&, const std::vector<std::string>&) const override {
    nlohmann::json j = {{"training_rows", points_.rows()},
                        {"dimensions", points_.cols()},
                        {"n_neighbors", k_},
                        {"search", use_tree_ ? "kd_tree" : "brute"}};
    if (!weights_.empty()) j["row_weights"] = "kept: each neighbour's vote is multiplied by its row's weight";
    return j;
  }

 private:
  void index() {
    use_tree_ = algorithm_ == "kd_tree" || (algorithm_ == "auto" && points_.cols() <= 12);
    tree_ = use_tree_ ? KdTree(points_, leaf_size_) : KdTree();
  }

  // Each neighbour's weight: 1 or 1/distance, times its row weight (if any).
  std::vector<double> weights(const std::vector<Neighbour>& n) const {
    std::vector<double> w(n.size(), 1.0);
    if (distance_weights_) {
      // 1/distance; a neighbour at distance 0 takes all the weight (scikit-learn's rule).
      const bool exact = std::any_of(n.begin(), n.end(), [](const Neighbour& x) { return x.dist2 == 0; });
      for (std::size_t m = 0; m < n.size(); ++m)
        w[m] = exact ? (n[m].dist2 == 0 ? 1.0 : 0.0) : 1.0 / std::sqrt(n[m].dist2);
    }
    if (!weights_.empty())
      for (std::size_t m = 0; m < n.size(); ++m) w[m] *= weights_[n[m].row];
    return w;
  }

  // Keeps the rows of positive weight, and their weights when they differ.
  void keep_weighted(std::span<const double> weights) {
    std::vector<Eigen::Index> kept;
    for (std::size_t i = 0; i < weights.size(); ++i)
      if (weights[i] > 0) kept.push_back(static_cast<Eigen::Index>(i));
    if (kept.size() < weights.size()) {
      RowMatrix points(static_cast<Eigen::Index>(kept.size()), points_.cols());
      std::vector<double> y;
      for (std::size_t r = 0; r < kept.size(); ++r) {
        points.row(static_cast<Eigen::Index>(r)) = points_.row(kept[r]);
        y.push_back(y_[static_cast<std::size_t>(kept[r])]);
      }
      points_ = std::move(points);
      y_ = std::move(y);
    }
    for (auto i : kept) weights_.push_back(weights[static_cast<std::size_t>(i)]);
    if (std::all_of(weights_.begin(), weights_.end(), [&](double w) { return w == weights_.front(); }))
      weights_.clear();  // equal weights scale every vote alike: the same predictions as none
  }

  std::vector<std::vector<Neighbour>> query(const FeatureMatrix& X) const {
    if (static_cast<Eigen::Index>(X.cols()) != points_.cols())
      throw ModelError("knn: expected " + std::to_string(points_.cols()) + " encoded features");
    const std::size_t k = std::min<std::size_t>(k_, static_cast<std::size_t>(points_.rows()));
    const RowMatrix Q = X.dense();
    std::vector<std::vector<Neighbour>> out(X.rows());
    constexpr std::size_t block = 128;
    const std::size_t blocks = (X.rows() + block - 1) / block;
    Eigen::VectorXd train_norm;
    if (!use_tree_) train_norm = points_.rowwise().squaredNorm();
    parallel_for(blocks, 0, [&](std::size_t b) {
      const std::size_t begin = b * block, end = std::min(X.rows(), begin + block);
      if (use_tree_) {
        for (std::size_t i = begin; i < end; ++i) {
          Nearest best(k);
          tree_.search(points_, Q.row(static_cast<Eigen::Index>(i)).data(), best);
          out[i] = best.sorted();
        }
        return;
      }
      // Brute force: |q - t|² = |q|² + |t|² - 2 q·t, the products as one matrix
      // multiplication per chunk of training rows.
      const auto rows = static_cast<Eigen::Index>(end - begin);
      const auto q = Q.middleRows(static_cast<Eigen::Index>(begin), rows);
      const Eigen::VectorXd q_norm = q.rowwise().squaredNorm();
      std::vector<Nearest> best(end - begin, Nearest(k));
      constexpr Eigen::Index chunk = 4096;
      for (Eigen::Index t0 = 0; t0 < points_.rows(); t0 += chunk) {
        const Eigen::Index tn = std::min(chunk, points_.rows() - t0);
        const Matrix dot = q * points_.middleRows(t0, tn).transpose();
        for (Eigen::Index i = 0; i < rows; ++i)
          for (Eigen::Index t = 0; t < tn; ++t) {
            const double d2 = std::max(0.0, q_norm[i] + train_norm[t0 + t] - 2 * dot(i, t));
            if (d2 <= best[static_cast<std::size_t>(i)].bound())
              best[static_cast<std::size_t>(i)].offer({d2, static_cast<std::uint32_t>(t0 + t)});
          }
      }
      for (std::size_t i = 0; i < best.size(); ++i) out[begin + i] = best[i].sorted();
    });
    return out;
  }

  std::size_t k_;
  bool distance_weights_;
  std::string algorithm_;
  std::size_t leaf_size_;
  Task task_;
  RowMatrix points_;
  std::vector<double> y_;
  std::vector<double> weights_;  // per training point; empty: all alike
  int n_classes_ = 0;
  bool use_tree_ = false;
  KdTree tree_;
};

}  // namespace

EstimatorInfo knn_info() {
  return {
      .name = "knn",
      .summary = "k nearest neighbours (Euclidean, standardised inputs): k-d tree or blocked brute force",
      .tasks = {Task::classification, Task::regression},
      .encoding = InputEncoding::one_hot_scaled,
      .params =
          {
              int_param("n_neighbors", 5, 1, "neighbours that vote (or are averaged)"),
              choice_param("weights", "uniform", {"uniform", "distance"}, "equal votes, or 1/distance"),
              choice_param("algorithm", "auto", {"auto", "kd_tree", "brute"},
                           "neighbour search: auto = k-d tree up to 12 dimensions, brute force above"),
              int_param("leaf_size", 40, 1, "points per k-d tree leaf"),
          },
      .create = [](const Params& p, Task task) { return std::make_unique<Knn>(p, task); },
  };
}

}  // namespace shipml::builtin
