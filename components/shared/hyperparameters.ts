/**
 * The hyperparameters of training/train.py, shared by the SageMaker jobs and the EC2 trainer: one
 * schema, one set of defaults. `SUPPORTED_ARCHS` mirrors training/inference.py (a test pins them).
 */
import { z } from "zod";
import { bool, int, num, oneOf, withDefaults } from "./arg-schema";

/** The torchvision backbones train.py and inference.py build (inference.SUPPORTED_ARCHS). */
export const SUPPORTED_ARCHS = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152"] as const;

export interface HyperparametersArgs {
  /** Backbone, one of SUPPORTED_ARCHS. Default `resnet50`. */
  arch?: string;
  /** Learning rate, > 0 and <= 1. Default 0.001. */
  lr?: number;
  /** Batch size, 1-4096. Default 32. */
  batchSize?: number;
  /** Epochs, 1-1000. Default 5. */
  epochs?: number;
  /** Start from ImageNet weights (transfer learning). Default true. */
  pretrained?: boolean;
}

export const HYPERPARAMETER_DEFAULTS = {
  arch: "resnet50",
  lr: 0.001,
  batchSize: 32,
  epochs: 5,
  pretrained: true,
} as const;

export const hyperparameterFields = {
  arch: oneOf(SUPPORTED_ARCHS),
  lr: num(0, 1, true),
  batchSize: int(1, 4096),
  epochs: int(1, 1000),
  /** Start from ImageNet weights (transfer learning). Jobs have no internet: see pretrainedWeightsKey. */
  pretrained: bool(),
};

/** Every hyperparameter optional, each with its default. */
export const hyperparametersSchema = z
  .strictObject(withDefaults(hyperparameterFields, HYPERPARAMETER_DEFAULTS))
  .prefault({});
