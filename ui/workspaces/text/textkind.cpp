// The text kind: sentences and verses through translators — built-in ones, weights files written
// by `attnscope train`, and your own TorchScript or ONNX text models.
#include "workspaces/registry.h"

#include "attnscope/kinds.h"
#include "attnscope/pipelines.h"
#include "cli/clicommon.h"
#include "workspaces/text/textcli.h"
#include "workspaces/text/textworkspace.h"

namespace attnscope::ui {

void registerTextKind()
{
    KindDescriptor k;
    k.id = kinds::kText;
    k.title = "Text · translation";
    k.description = "Sentences through the NMT models: alignment matrix, heads, comparison";
    k.builtinModels = builtinModelsOfKind(kinds::kText);
    k.takesModelFile = [](const std::string& path) { return isUserModelFile(path); };
    k.fallbackForModelFiles = true;  // translator weights written by `attnscope train`
    k.verbs = {
        {"run", R"(  attnscope run MODEL|MODEL.pt INPUT [--target TEXT] --out FILE
        [--view matrix|grid|flow|compare --kind NAME --layer N --head N|mean]
        [--compare-model MODEL2 --kind2 NAME --layer2 N --head2 N|mean] [--dpi N]
                                     translate INPUT (text, a verse reference such as
                                     "Ruth 1:16", or a text file) and write a view
                                     (.png .svg .pdf) or the trace (.attn .json); compare
                                     draws two heads, B from MODEL2 on the same sentence
                                     and forced target when given; MODEL.pt is your own
                                     TorchScript model with a MODEL.json sidecar
  attnscope run MODEL INPUT --ablate KIND:LAYER:HEADS [--ablate …] [--ablation zero|uniform] --out FILE
                                     the same with heads ablated (LAYER and HEADS 1-based,
                                     HEADS a comma list or all; KIND as the trace names it:
                                     cross_attention, decoder_self, encoder_self, self);
                                     zero multiplies the head's attention by 0 (HuggingFace
                                     head_mask), uniform spreads it over the unmasked keys;
                                     prints the translation and AER against the unablated
                                     run; the built-in Transformer and any ONNX model
  attnscope run MODEL --split dev|test --out DIR/ [--format png|svg|pdf|attn|json] [view options]
                                     batch: every verse of a split, forced decoding, one
                                     file per verse (e.g. DIR/Colossians_1-2.png)
  attnscope run transformer --book NAME --encoder-only --out FILE.attn|.png [--qk|--weights]
                                     a whole book (e.g. Ruth, Genesis) as one sequence through
                                     the encoder, attention computed in query blocks; weights
                                     up to 8,192 tokens, queries and keys beyond
)", true, cli::verbOf(cli::cmdRun)},
        {"eval", R"(  attnscope eval MODEL [--split dev|test] [--limit N] [--no-bleu]
                                     precision, recall, AER, diagonal-baseline AER, BLEU
)", true, cli::verbOf(cli::cmdEval)},
        {"align", R"(  attnscope align MODEL --split dev|test --out FILE.jsonl [--kind NAME --layer N --head N|mean]
                                     one JSON object of alignment links per verse (default:
                                     the model's "cross" alignment)
)", true, cli::verbOf(cli::cmdAlign)},
        {"heads", R"(  attnscope heads MODEL [--split dev|test] [--limit N] --out FILE.csv
                                     the head table over a split: per head mean entropy,
                                     position stats (Clark et al. 2019) and AER
  attnscope heads transformer [--split dev] --importance ablation|gradient --out FILE.csv
                                     each head's importance (Michel et al. 2019): Δ
                                     log-likelihood of the references and ΔBLEU with the head
                                     alone zeroed, or the gate gradient |∂L/∂ξ_h| normalised
                                     per layer
    eval, align and heads also take:
      --method argmax|threshold|gdfa|shift [--threshold τ]
                                     how links are read from attention (default argmax)
      --source SRC.txt --target TGT.txt --gold GOLD.pharaoh [--one-based]
                                     your own corpus instead of --split: one tokenised
                                     sentence per line, Pharaoh links (i-j sure; i?j, ipj,
                                     i-j-p possible); AER with sure/possible links
      --reverse-model MODEL          (eval, align) a target→source model: both directions'
                                     argmax links symmetrised with grow-diag-final-and
)", true, cli::verbOf(cli::cmdHeads)},
        {"prune", R"(  attnscope prune transformer [--split dev] [--importance gradient|ablation] [--seeds 3]
        --out FILE.csv|.png|.svg|.pdf
                                     pruning curves (Michel et al. 2019): BLEU of greedy
                                     translations as 0, 10, …, 100 % of the heads are zeroed,
                                     least important first, and in random orders for contrast;
                                     --ranking FILE.csv takes the order from an importance table
    heads --importance and prune also take:
      --shard K/N --out PART.json    measure shard K (0…N-1) of N only, e.g. one task of a
                                     Slurm array job (sbatch --array=0-N-1), and write a
                                     partial result
)", true, cli::verbOf(cli::cmdPrune)},
        {"merge", R"(  attnscope merge PART.json… --out FILE.csv|.png|.svg|.pdf
                                     every shard's partial result of one `heads --importance`
                                     or `prune` run, combined into exactly the table (or chart)
                                     one run writes
)", true, cli::verbOf(cli::cmdMerge)},
    };
    registerKind(std::move(k), [](QWidget* parent) -> Workspace* { return new TextWorkspace(parent); });
}

} // namespace attnscope::ui
