package io.mnistspark.data;

/** The two halves of MNIST and the names of their IDX files, as the original distribution spells them. */
public enum Split {
    TRAIN("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    TEST("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private final String imagesFile;
    private final String labelsFile;

    Split(String imagesFile, String labelsFile) {
        this.imagesFile = imagesFile;
        this.labelsFile = labelsFile;
    }

    public String imagesFile() {
        return imagesFile;
    }

    public String labelsFile() {
        return labelsFile;
    }
}
