// Scenes for the captioner: 2–4 Fashion-MNIST items pasted into distinct cells of a 3×3
// grid on an 84×84 canvas, with a caption generated from the layout, and the fixed test
// scenes written as PNG files (OpenCV's encoder in memory; the file written through AtomicFile, so
// non-ASCII paths work and a failed write leaves no partial file).
#include "attnscope/caption.h"
#include "attnscope/savefile.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <random>

namespace attnscope {

namespace {
const std::array<std::string, 10> kItemWords = {"t-shirt", "trousers", "pullover", "dress", "coat",
                                               "sandal", "shirt", "sneaker", "bag", "boot"};
const std::array<std::string, 9> kPositions = {"top left", "top centre", "top right",
                                              "centre left", "in the middle", "centre right",
                                              "bottom left", "bottom centre", "bottom right"};
constexpr uint64_t kTestSeed = 20150210;  // "Show, Attend and Tell" went on arXiv in Feb 2015
} // namespace

const std::string& itemWord(int label)
{
    static const std::string none;
    return label >= 0 && label < 10 ? kItemWords[size_t(label)] : none;
}

int itemLabel(const std::string& word)
{
    for (size_t i = 0; i < kItemWords.size(); ++i)
        if (kItemWords[i] == word) return int(i);
    return -1;
}

std::string sceneCaption(const std::vector<SceneItem>& items)
{
    std::string s;
    for (size_t k = 0; k < items.size(); ++k) {
        if (k > 0) s += k + 1 == items.size() ? " and " : " , ";
        const auto& it = items[k];
        if (it.label != 1) s += "a ";
        s += itemWord(it.label) + " " + kPositions[size_t(it.row * kSceneCells + it.col)];
    }
    return s;
}

std::vector<std::string> captionWords(const std::string& text)
{
    std::vector<std::string> words;
    std::string cur;
    auto flush = [&] {
        if (!cur.empty()) words.push_back(cur);
        cur.clear();
    };
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (std::isspace(c)) {
            flush();
        } else if (c == ',' || c == '.') {
            flush();
            if (c == ',') words.emplace_back(",");
        } else {
            cur += char(std::tolower(c));
        }
    }
    flush();
    return words;
}

Scene generateScene(const FashionMnist& set, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    const int count = std::uniform_int_distribution<int>(kSceneMinItems, kSceneMaxItems)(rng);
    std::array<int, 9> cells{0, 1, 2, 3, 4, 5, 6, 7, 8};
    // Partial Fisher–Yates: the first `count` cells, uniform without replacement.
    for (int k = 0; k < count; ++k) std::swap(cells[size_t(k)], cells[size_t(std::uniform_int_distribution<int>(k, 8)(rng))]);
    std::sort(cells.begin(), cells.begin() + count);  // reading order
    Scene s;
    s.image.width = s.image.height = kSceneSize;
    s.image.pixels.assign(size_t(kSceneSize) * kSceneSize, 0.0f);
    const int cell = kSceneSize / kSceneCells;
    std::uniform_int_distribution<int> pick(0, std::max(0, set.images.count - 1));
    for (int k = 0; k < count; ++k) {
        SceneItem it;
        it.sourceIndex = pick(rng);
        it.label = set.labels.empty() ? 0 : set.labels[size_t(it.sourceIndex)];
        it.row = cells[size_t(k)] / kSceneCells;
        it.col = cells[size_t(k)] % kSceneCells;
        it.x = it.col * cell;
        it.y = it.row * cell;
        it.width = it.height = cell;
        if (set.images.count > 0 && set.images.rows == cell && set.images.cols == cell) {
            const uint8_t* src = set.images.image(it.sourceIndex);
            for (int y = 0; y < cell; ++y)
                for (int x = 0; x < cell; ++x)
                    s.image.pixels[size_t(it.y + y) * kSceneSize + size_t(it.x + x)] = src[y * cell + x] / 255.0f;
        }
        s.items.push_back(it);
    }
    s.caption = sceneCaption(s.items);
    return s;
}

Scene testScene(const FashionMnist& test, int index) { return generateScene(test, kTestSeed + uint64_t(index)); }

Status writeTestScenes(const FashionMnist& test, int count, const std::string& dir)
{
    if (count < 1 || count > 100000) return Status::error("scene count must be 1–100000");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::error("cannot create " + dir + ": " + ec.message());
    std::string tsv = "# file\tcaption\titems (label:x,y,w,h;...)\n";
    for (int i = 0; i < count; ++i) {
        const Scene s = testScene(test, i);
        cv::Mat m(kSceneSize, kSceneSize, CV_8U);
        for (int y = 0; y < kSceneSize; ++y)
            for (int x = 0; x < kSceneSize; ++x)
                m.at<uint8_t>(y, x) = uint8_t(std::lround(std::clamp(s.image.at(x, y), 0.0f, 1.0f) * 255.0f));
        std::vector<uint8_t> png;
        if (!cv::imencode(".png", m, png)) return Status::error("PNG encoder unavailable");
        char name[32];
        std::snprintf(name, sizeof name, "scene-%03d.png", i);
        const std::string path = (std::filesystem::path(dir) / name).string();
        if (auto st = saveFileAtomically(path, png.data(), png.size()); !st) return st;
        tsv += std::string(name) + "\t" + s.caption + "\t";
        for (size_t k = 0; k < s.items.size(); ++k) {
            const auto& it = s.items[k];
            tsv += (k ? ";" : "") + std::to_string(it.label) + ":" + std::to_string(it.x) + "," + std::to_string(it.y) + "," +
                   std::to_string(it.width) + "," + std::to_string(it.height);
        }
        tsv += "\n";
    }
    return saveFileAtomically((std::filesystem::path(dir) / "scenes.tsv").string(), tsv);
}

Status loadSceneImage(const std::string& path, PreparedImage& out)
{
    return prepareImageFile(path, out, kSceneSize, /*cropToItem=*/false);
}

GreyImage sceneInput(const PreparedImage& image)
{
    GreyImage g;
    g.width = g.height = image.size;
    g.pixels = image.pixels;
    return g;
}

} // namespace attnscope
