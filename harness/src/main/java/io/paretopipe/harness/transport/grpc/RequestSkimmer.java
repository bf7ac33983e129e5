package io.paretopipe.harness.transport.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.paretopipe.harness.protocol.Tensor;
import io.paretopipe.harness.transport.grpc.proto.InferRequest;
import java.io.IOException;

/**
 * Reads an {@code InferRequest} refused by the stage's request memory without its tensor's data:
 * the request id, and the tensor's dtype, byte order and shape, so the stage can check the request
 * exactly as it checks an accepted one and answer {@code BUSY} naming it. The data (and any unknown
 * field) is skipped with {@link CodedInputStream#skipRawBytes}, which on grpc's message stream
 * moves the read position without copying; nothing of the tensor's size is allocated. Follows
 * protobuf's merge rules: the last request id and data win, a repeated {@code tensor} field merges,
 * shape dims accumulate (packed or not). At most {@link Tensor#MAX_RANK} dims are kept, the rest
 * only counted, and every field read is counted ({@link PooledMarshaller.Skim#fields}), so that a
 * request with millions of packed dims or unknown fields is refused before protobuf turns them into
 * heap objects ({@link #MAX_FIELDS}). Stateless and thread-safe.
 */
final class RequestSkimmer implements PooledMarshaller.Skimmer<InferRequest> {
  static final RequestSkimmer INSTANCE = new RequestSkimmer();

  /**
   * Most fields a stage reads in one {@code InferRequest}: a request id and one tensor (dtype, byte
   * order, data, at most {@link Tensor#MAX_RANK} dims) are 12, the rest is room for fields a newer
   * head may add.
   */
  static final int MAX_FIELDS = 256;

  private static final int REQUEST_ID =
      tag(InferRequest.REQUEST_ID_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
  private static final int TENSOR =
      tag(InferRequest.TENSOR_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int DTYPE =
      tag(
          io.paretopipe.harness.transport.grpc.proto.Tensor.DTYPE_FIELD_NUMBER,
          WireFormat.WIRETYPE_VARINT);
  private static final int LITTLE_ENDIAN =
      tag(
          io.paretopipe.harness.transport.grpc.proto.Tensor.LITTLE_ENDIAN_FIELD_NUMBER,
          WireFormat.WIRETYPE_VARINT);
  private static final int SHAPE =
      tag(
          io.paretopipe.harness.transport.grpc.proto.Tensor.SHAPE_FIELD_NUMBER,
          WireFormat.WIRETYPE_VARINT);
  private static final int SHAPE_PACKED =
      tag(
          io.paretopipe.harness.transport.grpc.proto.Tensor.SHAPE_FIELD_NUMBER,
          WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int DATA =
      tag(
          io.paretopipe.harness.transport.grpc.proto.Tensor.DATA_FIELD_NUMBER,
          WireFormat.WIRETYPE_LENGTH_DELIMITED);

  private RequestSkimmer() {}

  private static int tag(int field, int wireType) {
    return field << 3 | wireType;
  }

  @Override
  public PooledMarshaller.Skim<InferRequest> skim(CodedInputStream in) throws IOException {
    InferRequest.Builder request = InferRequest.newBuilder();
    TensorSkim tensor = null;
    long fields = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      fields++;
      if (tag == REQUEST_ID) {
        request.setRequestId(in.readInt64());
      } else if (tag == TENSOR) {
        int old = in.pushLimit(in.readRawVarint32());
        if (tensor == null) {
          tensor = new TensorSkim(request.getTensorBuilder());
        }
        tensor.merge(in);
        in.popLimit(old);
      } else if (!in.skipField(tag)) {
        throw endGroup();
      }
    }
    return tensor == null
        ? new PooledMarshaller.Skim<>(request.build(), 0, 0, fields)
        : new PooledMarshaller.Skim<>(
            request.build(), tensor.dataBytes, tensor.rank, fields + tensor.fields);
  }

  private static InvalidProtocolBufferException endGroup() {
    return new InvalidProtocolBufferException(
        "Protocol message end-group tag did not match expected tag.");
  }

  /** The tensor's fields read so far. */
  private static final class TensorSkim {
    private final io.paretopipe.harness.transport.grpc.proto.Tensor.Builder builder;
    private long dataBytes;
    private int rank;
    private long fields;

    TensorSkim(io.paretopipe.harness.transport.grpc.proto.Tensor.Builder builder) {
      this.builder = builder;
    }

    /** Reads one occurrence of the tensor field, up to the current limit. */
    void merge(CodedInputStream in) throws IOException {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        fields++;
        if (tag == DTYPE) {
          builder.setDtype(in.readUInt32());
        } else if (tag == LITTLE_ENDIAN) {
          builder.setLittleEndian(in.readBool());
        } else if (tag == SHAPE) {
          addDim(in.readInt64());
        } else if (tag == SHAPE_PACKED) {
          int old = in.pushLimit(in.readRawVarint32());
          while (in.getBytesUntilLimit() > 0) {
            addDim(in.readInt64());
          }
          in.popLimit(old);
        } else if (tag == DATA) {
          int length = in.readRawVarint32();
          in.skipRawBytes(length); // throws for a negative or truncated length
          dataBytes = length;
        } else if (!in.skipField(tag)) {
          throw endGroup();
        }
      }
    }

    private void addDim(long dim) {
      fields++;
      if (rank < Tensor.MAX_RANK) {
        builder.addShape(dim);
      }
      rank = rank == Integer.MAX_VALUE ? rank : rank + 1;
    }
  }
}
