package dev.invariance.onnx.reading;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Which Einsum equations are a matrix product over the activation's last axis, and whether W is the constant's
 * transpose.
 */
class EinsumProductTest {
    @Test
    void aConstantOfOutputByInputIsWAsStored() {
        assertEquals(new EinsumProduct(false), EinsumProduct.of("bi,oi->bo", 1));
        assertEquals(new EinsumProduct(false), EinsumProduct.of("bti,oi->bto", 1));
        assertEquals(new EinsumProduct(false), EinsumProduct.of("oi,bi->bo", 0), "the constant may come first");
    }

    @Test
    void aConstantOfInputByOutputIsWTransposed() {
        assertEquals(new EinsumProduct(true), EinsumProduct.of("bi,io->bo", 1));
        assertEquals(new EinsumProduct(true), EinsumProduct.of("...k,kn->...n", 1), "an ellipsis for the batch axes");
        assertEquals(new EinsumProduct(true), EinsumProduct.of(" b i , i o -> b o ", 1), "spaces are ignored");
    }

    @Test
    void withoutAnArrowTheOutputIsTheLettersOccurringOnceInOrder() {
        assertEquals(new EinsumProduct(true), EinsumProduct.of("ij,jk", 1), "implicit output ik");
        assertEquals(new EinsumProduct(false), EinsumProduct.of("bi,oi", 1), "implicit output bo");
        assertEquals(new EinsumProduct(false), EinsumProduct.of("ij,kj", 1), "implicit output ik");
        assertNull(EinsumProduct.of("bz,az", 1), "implicit output ab: the new letter sorts first");
    }

    @Test
    void otherContractionsAreNoMatrixProduct() {
        assertNull(EinsumProduct.of("btj,tj->bj", 1), "a weighting over positions");
        assertNull(EinsumProduct.of("ib,oi->ob", 1), "the contracted axis is not the activation's last");
        assertNull(EinsumProduct.of("bi,oi->ob", 1), "the output moves the axes");
        assertNull(EinsumProduct.of("bi,oi->bio", 1), "nothing is contracted");
        assertNull(EinsumProduct.of("bi,ii->bi", 1), "a diagonal");
        assertNull(EinsumProduct.of("bii,oi->bio", 1), "a repeated activation axis");
        assertNull(EinsumProduct.of("bi,bo->bo", 1), "the constant's other axis is a batch axis");
        assertNull(EinsumProduct.of("bi,oi,oj->bj", 1), "three operands");
        assertNull(EinsumProduct.of("bi,o...->bo", 1), "an ellipsis in the constant");
        assertNull(EinsumProduct.of("b1,o1->bo", 1), "not a letter");
        assertNull(EinsumProduct.of("bi,oi->bo->bo", 1));
        assertNull(EinsumProduct.of("bi,oi->bo".repeat(100), 1), "longer than any real equation");
    }
}
