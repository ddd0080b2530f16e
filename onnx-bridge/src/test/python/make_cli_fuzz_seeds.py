"""Writes the seed inputs of CommandLineFuzzTest: one argument vector per file, one argument per line, with $DIR for
the fuzz test's folder (data.csv: features a, b, c and a label column 'label' with classes up and down; model.onnx,
model.tribuo and provenance.json trained on it; empty.csv; an empty folder/), $LONG for 100,000 letters, $NL for a
line feed and $ESC for the escape character. The cases are those of issue 19 for options, valid runs of every
option, and what an attacker or a careless user types: numbers at and past the limits of their type, numbers that
overflow a product, non-numbers, empty and very long values, control characters, files that are folders, devices,
missing, not what the option expects, and argument files (@FILE).

Run from the repository root:  /usr/bin/python3 onnx-bridge/src/test/python/make_cli_fuzz_seeds.py
Findings of campaigns (crash-*) are added to the same folder by hand and kept after their fix.
"""
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "dev", "invariance", "cli",
                   "CommandLineFuzzTestInputs", "optionsRunOrAreRefusedInOneLine")

TRAIN = ["train", "--data", "$DIR/data.csv", "--label", "label", "--output", "$DIR/out.onnx"]
ONNX_DATA = ["analyze", "$DIR/model.onnx", "--data", "$DIR/data.csv", "--label", "label"]

SEEDS = {
    # valid runs of every option
    "train_every_output": TRAIN + ["--hidden", "4", "--steps", "10", "--tribuo-model", "$DIR/out.tribuo",
                                   "--provenance", "$DIR/out.json"],
    "train_sgd_epochs": TRAIN + ["--optimizer", "sgd", "--batch-size", "7", "--epochs", "2", "--seed", "-1"],
    "train_adam_float32_relu_skip": TRAIN + ["--hidden", "4,4", "--activation", "relu", "--skip", "--no-bias",
                                             "--optimizer", "adam", "--precision", "float32", "--standardize",
                                             "--loss", "squared", "--init", "orthogonal", "--schedule",
                                             "normalized", "--steps=10"],
    "train_replay": ["train", "--from-provenance", "$DIR/provenance.json", "--output", "$DIR/out.onnx"],
    "analyze_onnx": ["analyze", "$DIR/model.onnx"],
    "analyze_onnx_json_top_k": ["--verbose", "analyze", "$DIR/model.onnx", "--format", "json", "--spectrum", "top-k",
                                "--top-k", "1", "--all-singular-values"],
    "analyze_tribuo_data": ["analyze", "$DIR/model.tribuo", "--data", "$DIR/data.csv", "--label", "label"],
    "analyze_onnx_data": ONNX_DATA + ["--batch-size", "5", "--classes", "down,up", "--format", "json"],
    "analyze_onnx_data_auto": ONNX_DATA + ["--device", "auto", "--no-label-evaluation"],
    # --layers (a regular expression on layer names) and --quiet (issue 23)
    "analyze_layers_some": ["analyze", "$DIR/model.onnx", "--layers", "layer-[01]_", "--format", "json", "--quiet"],
    "analyze_layers_nothing": ["analyze", "$DIR/model.tribuo", "--layers", "decoder"],
    "analyze_layers_invalid": ["analyze", "$DIR/model.onnx", "--layers", "(a"],
    "analyze_layers_long": ["analyze", "$DIR/model.onnx", "--layers", "$LONG"],
    "analyze_layers_escape": ["analyze", "$DIR/model.onnx", "--layers", "$ESC[2J"],
    "analyze_layers_backtracking": ["analyze", "$DIR/model.onnx", "--layers", "(.*a){20}$"],
    "analyze_layers_with_data": ONNX_DATA + ["--layers", "layer"],
    "train_quiet": TRAIN + ["--hidden", "4", "--steps", "10", "--quiet"],
    # issue 19: batch sizes that overflow (2^31 - 1), wrap size x features x 4 to 8 bytes, exceed the heap (10^8)
    "analyze_batch_size_2147483647": ONNX_DATA + ["--batch-size", "2147483647"],
    "analyze_batch_size_357913942": ONNX_DATA + ["--batch-size", "357913942"],
    "analyze_batch_size_100000000": ONNX_DATA + ["--batch-size", "100000000"],
    "analyze_batch_size_negative": ONNX_DATA + ["--batch-size", "-2147483648"],
    "train_batch_size_2147483647": TRAIN + ["--optimizer", "sgd", "--batch-size", "2147483647", "--steps", "3"],
    "train_batch_size_357913942": TRAIN + ["--optimizer", "adam", "--batch-size", "357913942", "--steps", "3"],
    # widths whose weights exceed the heap, a Java array (46341^2 > 2^31) or wrap an int
    "train_hidden_2147483647": TRAIN + ["--hidden", "2147483647"],
    "train_hidden_46341_46341": TRAIN + ["--hidden", "46341,46341"],
    "train_hidden_357913942": TRAIN + ["--hidden", "357913942", "--steps", "1"],
    "train_hidden_100000000": TRAIN + ["--hidden", "100000000"],
    "train_hidden_65536_65536_adam": TRAIN + ["--hidden", "65536,65536", "--optimizer", "adam"],
    "train_hidden_not_positive": TRAIN + ["--hidden", "0,-1"],
    "train_hidden_empty_entries": TRAIN + ["--hidden", "1,,2"],
    "train_hidden_long": TRAIN + ["--hidden", "$LONG"],
    # real numbers: float32 overflow (1e39), double overflow (1e400), NaN, subnormal, Java literals
    "train_learning_rate_1e39_float32": TRAIN + ["--learning-rate", "1e39", "--precision", "float32", "--steps", "3"],
    "train_learning_rate_1e400": TRAIN + ["--learning-rate", "1e400"],
    "train_learning_rate_nan": TRAIN + ["--learning-rate", "NaN"],
    "train_learning_rate_subnormal": TRAIN + ["--learning-rate", "4.9e-324", "--steps", "3"],
    "train_init_scale_1e39": TRAIN + ["--init-scale", "1e39", "--precision", "float32", "--steps", "3"],
    "train_init_scale_hex": TRAIN + ["--init-scale", "0x1p3", "--steps", "3"],
    # step budgets
    "train_steps_negative": TRAIN + ["--steps", "-1"],
    "train_steps_1e39": TRAIN + ["--steps", "1e39"],
    "train_steps_zero": TRAIN + ["--steps", "0"],
    "train_steps_and_epochs": TRAIN + ["--steps", "3", "--epochs", "1"],
    "train_epochs_2147483647": TRAIN + ["--epochs", "2147483647", "--hidden", "2147483647"],
    # top-k, classes, device, input, format, spectrum
    "analyze_top_k_2147483647": ["analyze", "$DIR/model.tribuo", "--top-k", "2147483647"],
    "analyze_top_k_zero": ["analyze", "$DIR/model.onnx", "--top-k", "0"],
    "analyze_classes_repeated": ONNX_DATA + ["--classes", "up,up"],
    "analyze_classes_empty": ONNX_DATA + ["--classes", ""],
    "analyze_classes_long": ONNX_DATA + ["--classes", "up,$LONG"],
    "analyze_device_cuda_max": ONNX_DATA + ["--device", "cuda:2147483647"],
    "analyze_device_long": ONNX_DATA + ["--device", "$LONG"],
    "analyze_input_escape": ONNX_DATA + ["--input", "$ESC]0;title\x07$NLsecond line"],
    "analyze_runtime_options_without_data": ["analyze", "$DIR/model.onnx", "--batch-size", "5"],
    "analyze_format_long": ["analyze", "$DIR/model.onnx", "--format", "$LONG"],
    "analyze_spectrum_unknown": ["analyze", "$DIR/model.onnx", "--spectrum", "$ESC[2J"],
    # labels and names with control characters or no end
    "train_label_escape": TRAIN + ["--label", "$ESC]0;title\x07"],
    "train_label_long": TRAIN + ["--label", "$LONG"],
    "train_data_name_escape": ["train", "--data", "$DIR/$ESC[2J$NL.csv", "--label", "label", "--output",
                               "$DIR/out.onnx"],
    "unknown_option_long": ["train", "--$LONG"],
    # files that are folders, devices, missing, empty or not what the option expects
    "train_data_folder": ["train", "--data", "$DIR/folder", "--label", "label", "--output", "$DIR/out.onnx"],
    "train_data_dev_zero": ["train", "--data", "/dev/zero", "--label", "label", "--output", "$DIR/out.onnx"],
    "train_data_empty": ["train", "--data", "$DIR/empty.csv", "--label", "label", "--output", "$DIR/out.onnx"],
    "train_data_model": ["train", "--data", "$DIR/model.onnx", "--label", "label", "--output", "$DIR/out.onnx"],
    "train_output_folder": TRAIN[:-1] + ["$DIR/folder"],
    "train_output_dotdot": TRAIN[:-1] + ["$DIR/.."],
    "train_output_empty": TRAIN[:-1] + [""],
    "train_output_new_folders": TRAIN[:-1] + ["$DIR/new/deeper/out.onnx", "--steps", "3"],
    "train_output_is_the_data": TRAIN[:-1] + ["$DIR/data.csv", "--steps", "3"],
    "train_outputs_the_same_file": TRAIN + ["--tribuo-model", "$DIR/out.onnx", "--steps", "3"],
    "train_replay_folder": ["train", "--from-provenance", "$DIR/folder", "--output", "$DIR/out.onnx"],
    "train_replay_dev_zero": ["train", "--from-provenance", "/dev/zero", "--output", "$DIR/out.onnx"],
    "train_replay_csv": ["train", "--from-provenance", "$DIR/data.csv", "--output", "$DIR/out.onnx"],
    "train_replay_binary": ["train", "--from-provenance", "$DIR/model.tribuo", "--output", "$DIR/out.onnx"],
    "train_replay_with_trainer_options": ["train", "--from-provenance", "$DIR/provenance.json", "--output",
                                          "$DIR/out.onnx", "--hidden", "2147483647"],
    "analyze_folder": ["analyze", "$DIR/folder"],
    "analyze_dotdot": ["analyze", ".."],
    "analyze_empty_name": ["analyze", ""],
    "analyze_dev_zero": ["analyze", "/dev/zero"],
    "analyze_csv_as_model": ["analyze", "$DIR/data.csv"],
    "analyze_empty_model": ["analyze", "$DIR/empty.csv"],
    "analyze_data_dev_zero": ["analyze", "$DIR/model.onnx", "--data", "/dev/zero", "--label", "label"],
    "analyze_data_is_the_model": ["analyze", "$DIR/model.onnx", "--data", "$DIR/model.onnx", "--label", "label"],
    # argument files: @FILE would make picocli read arguments from any file, /dev/zero for ever
    "argument_file_dev_zero": ["analyze", "@/dev/zero"],
    "argument_file_provenance": ["train", "@$DIR/provenance.json"],
    # no arguments, help, version, unknown commands
    "no_arguments": [],
    "help": ["--help"],
    "train_help": ["train", "--help"],
    "version": ["--version"],
    "unknown_command": ["$ESC[2Jbogus"],
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, args in SEEDS.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write("".join(a + "\n" for a in args).encode("utf-8"))


if __name__ == "__main__":
    main()
